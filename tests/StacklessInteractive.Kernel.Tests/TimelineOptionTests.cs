namespace StacklessInteractive.Kernel.Tests;

/// <summary>#!timeline at scale (issue 16, part 5): the lanes asked for are drawn, patterns, --lanes, --last, a summary chart.</summary>
[Collection(KernelCollection.Name)]
public class TimelineOptionTests(KernelFixture notebook)
{
    private static IEnumerable<string?> Lanes(AngleSharp.Dom.IDocument doc) =>
        doc.QuerySelectorAll(".sl-timeline-view g.lane").Select(l => l.GetAttribute("data-tasklet"));

    /// <summary>10,000 emitters each send one value to a collector, which receives them all.</summary>
    private async Task TenThousandEmittersAsync()
    {
        await notebook.Reset();
        await notebook.Run("var sink = new Channel<int>(name: \"sink\");");
        await notebook.Run("Scheduler.Default.Spawn(async () => { for (var i = 0; i < 10_000; i++) await sink.Receive(); }, name: \"collector\");\n"
            + "for (var i = 0; i < 10_000; i++) { var k = i; Scheduler.Default.Spawn(async () => await sink.Send(k), name: $\"e{k}\"); }");
        await notebook.Run("#!run");
    }

    [Fact]
    public async Task AtTenThousandTasklets_TheLaneAskedFor_IsAlwaysDrawn_PatternsAndLanesToo()
    {
        await TenThousandEmittersAsync();
        Assert.Contains("e5000", Lanes(Cell.Document(await notebook.Run("#!timeline --tasklet e5000"))));
        var collector = Cell.Document(await notebook.Run("#!timeline --tasklet collector"));
        Assert.Contains("collector", Lanes(collector));
        Assert.Equal(100, Lanes(collector).Count());

        var pattern = Lanes(Cell.Document(await notebook.Run("#!timeline --tasklet e999*"))).ToList();
        Assert.Equal(["e999", "e9990", "e9991", "e9992", "e9993", "e9994", "e9995", "e9996", "e9997", "e9998", "e9999"], pattern.Where(n => n != "collector"));

        var three = Cell.Document(await notebook.Run("#!timeline --lanes 3"));
        Assert.Equal(3, Lanes(three).Count());
        Assert.Contains("--lanes N", three.QuerySelector("[data-hidden-lanes]")!.TextContent);
    }

    [Fact]
    public async Task AtScale_PlotShowsASummary_NotABarPerTasklet()
    {
        await TenThousandEmittersAsync();
        var html = string.Concat(Cell.Html(await notebook.Run("#!timeline --plot --lanes 5")));
        var doc = Cell.Document(await notebook.Run("#!timeline --plot --lanes 5"));
        var charts = doc.QuerySelectorAll("div[id^='stackless-chart-']");
        Assert.Equal(4, charts.Length); // the timeline, then the histogram, time per state and top tasklets
        Assert.Contains("How many steps each of the 10,001 tasklets ran", html);
        Assert.Contains("The 10 tasklets that ran most", html);
        Assert.True(html.Length < 400_000, $"{html.Length:N0} characters");
    }

    [Fact]
    public async Task Last_IsTheLastStepsOfTheProgram_WithEveryLaneThatRanInThem()
    {
        await notebook.Reset();
        foreach (var name in new[] { "a", "b", "c" })
            await notebook.Run($"#!tasklet --name {name}\nfor (var i = 0; i < 3; i++) await Stackless.Schedule();");
        await notebook.Run("#!run");
        var doc = Cell.Document(await notebook.Run("#!timeline --last 2"));
        var view = doc.QuerySelector(".sl-timeline-view")!;
        Assert.Equal(("11", "12"), (view.GetAttribute("data-first-step"), view.GetAttribute("data-last-step")));
        Assert.Equal(["b", "c"], Lanes(doc));
        var tasklet = Cell.Document(await notebook.Run("#!timeline --last 2 --tasklet a"));
        Assert.Equal("true", tasklet.QuerySelector(".sl-timeline-view")!.GetAttribute("data-empty"));
        Assert.Contains("No step of the trace matches", tasklet.QuerySelector(".sl-timeline-view")!.TextContent);
    }

    [Fact]
    public async Task EmptyStates_DoNotAskForWhatTheExtensionAlreadyTurnedOn()
    {
        await notebook.Reset();
        var timeline = Cell.Document(await notebook.Run("#!timeline")).QuerySelector(".sl-timeline-view")!.TextContent;
        Assert.Contains("Nothing has run since the extension was loaded or reset", timeline);
        Assert.DoesNotContain("TraceRecorder", timeline);
        var channels = Cell.Document(await notebook.Run("#!channels")).QuerySelector("[data-role=empty]")!.TextContent;
        Assert.Contains("tracking is on", channels);
        Assert.DoesNotContain("TrackChannels", channels);
    }
}
