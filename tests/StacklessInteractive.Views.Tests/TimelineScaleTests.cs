namespace StacklessInteractive.Views.Tests;

/// <summary>The SVG timeline's lanes at scale and its small print (issue 16, part 5).</summary>
public class TimelineScaleTests
{
    [Fact]
    public void PinnedLanes_AreDrawnAmongThousands_AndTheNoteSaysHowToSeeMore()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        for (var i = 0; i < 2_000; i++) s.SpawnAction(() => { }, name: $"e{i}");
        s.Run();
        var doc = Scenarios.Parse(TimelineView.Render(s.Events(), new TimelineOptions { MaxLanes = 10, Pinned = t => t.Name == "e1500" }));
        var lanes = doc.QuerySelectorAll("g.lane").Select(l => l.GetAttribute("data-tasklet")).ToList();
        Assert.Equal(10, lanes.Count);
        Assert.Equal("e1500", lanes[^1]); // in id order, after the nine lowest
        Assert.Contains("--lanes N", doc.QuerySelector("[data-hidden-lanes]")!.TextContent);
    }

    [Fact]
    public void MainDrivingTheRun_IsNotCalledPaused_AndValueLabelsFitInTheSvg()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel<string>(s, name: "ch");
        s.Spawn(async () => { await ch.Receive(); await ch.Receive(); await ch.Receive(); }, name: "receiver");
        s.Spawn(async () => await ch.Send("a long value here"), name: "sender");
        s.Run();
        ch.Send("from main"); // main hands a value over between two runs: it has a lane
        s.Spawn(async () => await s.Schedule(), name: "other");
        s.Run();
        var events = s.Events();
        var doc = Scenarios.Parse(TimelineView.Render(events));
        var titles = doc.QuerySelectorAll("g.lane[data-tasklet=main] rect title").Select(t => t.TextContent).ToList();
        Assert.Contains(titles, t => t.Contains("driving the run"));
        Assert.DoesNotContain(titles, t => t.Contains("paused"));
        var svg = doc.QuerySelector("svg.sl-timeline")!;
        var width = double.Parse(svg.GetAttribute("width")!, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var label in doc.QuerySelectorAll("g.handoff text.value"))
        {
            var x = double.Parse(label.GetAttribute("x")!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(x + 6.5 * label.TextContent.Length <= width, $"'{label.TextContent}' at {x} overflows {width}");
        }
    }

    [Fact]
    public void AnEmptyTimeline_SaysWhatItIsTold()
    {
        var doc = Scenarios.Parse(TimelineView.Render([], new TimelineOptions { EmptyHint = "Nothing has run yet." }));
        Assert.Equal("Nothing has run yet.", doc.QuerySelector(".sl-timeline-view .sl-box")!.TextContent);
    }
}
