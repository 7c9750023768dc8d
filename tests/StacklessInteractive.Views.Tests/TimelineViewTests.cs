namespace StacklessInteractive.Views.Tests;

/// <summary>The SVG timeline, parsed.</summary>
public class TimelineViewTests
{
    [Fact]
    public void ProducerConsumer_LanesCellsAndArrows()
    {
        var (s, _, _, _) = Scenarios.ProducerConsumer();
        var doc = Scenarios.Parse(TimelineView.Render(s.Events()));

        var lanes = doc.QuerySelectorAll("svg g.lane");
        Assert.Equal(new[] { "producer", "consumer" }, lanes.Select(l => l.GetAttribute("data-tasklet")));
        Assert.Equal("running", Scenarios.CellStateAt(lanes[0], 1));
        Assert.Equal("blocked-send", Scenarios.CellStateAt(lanes[0], 2));
        Assert.Equal("blocked-receive", Scenarios.CellStateAt(lanes[1], 3));
        Assert.Equal("dead", Scenarios.CellStateAt(lanes[1], 5));

        var arrows = doc.QuerySelectorAll("svg g.handoff");
        Assert.Equal(2, arrows.Length);
        Assert.Equal(new (string?, string?, string?, string?, string?)[] { ("producer", "consumer", "2", "1", "ch"), ("producer", "consumer", "3", "2", "ch") },
            arrows.Select(a => (a.GetAttribute("data-from"), a.GetAttribute("data-to"), a.GetAttribute("data-step"), a.GetAttribute("data-value"), a.GetAttribute("data-channel"))));
        foreach (var a in arrows)
        {
            Assert.NotNull(a.QuerySelector("line"));
            Assert.NotNull(a.QuerySelector("path"));
            Assert.Equal(a.GetAttribute("data-value"), a.QuerySelector("text.value")!.TextContent);
        }
        // The arrow goes down from producer's lane (above) to consumer's lane (below).
        var line = arrows[0].QuerySelector("line")!;
        Assert.True(double.Parse(line.GetAttribute("y2")!, System.Globalization.CultureInfo.InvariantCulture)
                    > double.Parse(line.GetAttribute("y1")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(doc.QuerySelector("[data-summarised]"));
        Assert.Equal(StatePalette.States.Count, doc.QuerySelectorAll(".sl-legend li").Length);
    }

    [Fact]
    public void LongValues_AreShortenedInTheLabelAndEscaped()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel<string>(s, name: "ch");
        s.Spawn(async () => { await ch.Receive(); }, name: "r");
        s.Spawn(async () => { await ch.Send("<img src=x onerror=alert(1)> and a long tail of text"); }, name: "w");
        s.Run();
        var html = TimelineView.Render(s.Events(), new TimelineOptions { ValueLabelLength = 10 });
        var doc = Scenarios.Parse(html);
        Assert.Null(doc.QuerySelector("img"));
        var arrow = Assert.Single(doc.QuerySelectorAll("g.handoff"));
        Assert.Equal("<img src=x onerror=alert(1)> and a long tail of text", arrow.GetAttribute("data-value"));
        Assert.Equal("<img src=\u2026", arrow.QuerySelector("text.value")!.TextContent);
        Assert.Equal<(string?, string?)>(("w", "r"), (arrow.GetAttribute("data-from"), arrow.GetAttribute("data-to")));
    }

    [Fact]
    public void BeyondMaxSteps_SummarisesIntoBucketsAndSaysSo()
    {
        var s = Scenarios.PingPong(100);
        var events = s.Events();
        var steps = TimelineModel.Build(events).StepCount;
        Assert.True(steps > 40);
        var doc = Scenarios.Parse(TimelineView.Render(events, new TimelineOptions { MaxSteps = 40 }));

        var note = doc.QuerySelector("[data-summarised=true]")!;
        var size = (steps + 39) / 40;
        var buckets = (steps + size - 1) / size;
        Assert.Contains($"{steps} steps summarised in buckets of {size}", note.TextContent);
        Assert.Equal(size.ToString(), note.GetAttribute("data-bucket-size"));
        Assert.Equal(buckets.ToString(), note.GetAttribute("data-buckets"));
        Assert.True(buckets <= 40);

        Assert.Empty(doc.QuerySelectorAll("g.handoff")); // counted, not drawn
        var counts = doc.QuerySelectorAll("g.handoff-count");
        Assert.Equal(100, counts.Sum(c => int.Parse(c.GetAttribute("data-count")!)));
        Assert.All(counts, c => Assert.InRange(int.Parse(c.GetAttribute("data-bucket")!), 0, buckets - 1));
        // Each lane's cells still cover every step, bucket by bucket.
        foreach (var lane in doc.QuerySelectorAll("g.lane"))
        {
            var cells = lane.QuerySelectorAll("rect.cell");
            Assert.Equal("1", cells[0].GetAttribute("data-start"));
            Assert.Equal(steps.ToString(), cells[^1].GetAttribute("data-end"));
        }
    }

    [Fact]
    public void DefaultMaxSteps_Is300()
    {
        var events = Scenarios.PingPong(200).Events(); // about 400 steps
        Assert.True(TimelineModel.Build(events).StepCount > 300);
        Assert.NotNull(Scenarios.Parse(TimelineView.Render(events)).QuerySelector("[data-summarised=true]"));
        var shorter = Scenarios.PingPong(100).Events(); // about 200 steps
        Assert.Null(Scenarios.Parse(TimelineView.Render(shorter)).QuerySelector("[data-summarised]"));
    }

    [Fact]
    public void MoreTaskletsThanMaxLanes_SaysHowManyAreLeftOut()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        for (var i = 0; i < 5; i++) s.SpawnAction(() => { });
        s.Run();
        var doc = Scenarios.Parse(TimelineView.Render(s.Events(), new TimelineOptions { MaxLanes = 3 }));
        Assert.Equal(3, doc.QuerySelectorAll("g.lane").Length);
        Assert.Equal("2", doc.QuerySelector("[data-hidden-lanes]")!.GetAttribute("data-hidden-lanes"));
    }

    [Fact]
    public void EmptyTrace_SaysSo()
    {
        var doc = Scenarios.Parse(TimelineView.Render([]));
        Assert.NotNull(doc.QuerySelector(".sl-timeline-view[data-empty=true]"));
        Assert.Null(doc.QuerySelector("svg"));
        Assert.Contains("No trace events", doc.Body!.TextContent);
    }

    [Fact]
    public void SameScenarioTwice_GivesIdenticalHtml()
    {
        var first = TimelineView.Render(Scenarios.ProducerConsumer().S.Events());
        var second = TimelineView.Render(Scenarios.ProducerConsumer().S.Events());
        Assert.Equal(first, second);
        var long1 = TimelineView.Render(Scenarios.PingPong(200).Events());
        Assert.Equal(long1, TimelineView.Render(Scenarios.PingPong(200).Events()));
    }
}
