using System.Text.Json;
using System.Text.RegularExpressions;
using Plotly.NET;

namespace StacklessInteractive.Views.Tests;

/// <summary>The Plotly.NET charts' figures, and our HTML for them.</summary>
public class ChartsTests
{
    private static JsonElement Figure(GenericChart chart) => JsonDocument.Parse(GenericChart.toFigureJson(chart)).RootElement;

    private static T[] Array<T>(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.Deserialize<T>()!).ToArray();

    [Fact]
    public void Timeline_OneTracePerStatePresent_BarsStartAtTheirStep()
    {
        var (s, _, _, _) = Scenarios.ProducerConsumer();
        var figure = Figure(Charts.Timeline(s.Events()));
        var traces = figure.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(new[] { "running", "runnable", "blocked (send)", "blocked (receive)", "dead" }, traces.Select(t => t.GetProperty("name").GetString()));
        Assert.All(traces, t => Assert.Equal("h", t.GetProperty("orientation").GetString()));

        // producer ran steps 1, 3, 5 and consumer steps 2, 4: one-step bars based at those steps.
        var running = traces[0];
        Assert.Equal(new[] { "producer", "producer", "producer", "consumer", "consumer" }, Array<string>(running, "y"));
        Assert.Equal(new long[] { 1, 3, 5, 2, 4 }, Array<long>(running, "base"));
        Assert.Equal(new long[] { 1, 1, 1, 1, 1 }, Array<long>(running, "x"));
        Assert.Equal(StatePalette.Color(LaneState.Running), running.GetProperty("marker").GetProperty("color").GetString());
        var dead = traces[4];
        Assert.Equal(new[] { "consumer" }, Array<string>(dead, "y"));
        Assert.Equal(new long[] { 5 }, Array<long>(dead, "base"));

        var layout = figure.GetProperty("layout");
        Assert.Equal("overlay", layout.GetProperty("barmode").GetString());
        Assert.Equal(new[] { "producer", "consumer" }, Array<string>(layout.GetProperty("yaxis"), "categoryarray"));
    }

    [Fact]
    public void Timeline_SegmentsAddUpToEveryStepOfEveryLane()
    {
        var events = Scenarios.PingPong(30).Events();
        var model = TimelineModel.Build(events);
        var traces = Figure(Charts.Timeline(events)).GetProperty("data").EnumerateArray().ToList();
        var perLane = traces.SelectMany(t => Array<string>(t, "y").Zip(Array<long>(t, "x"))).GroupBy(p => p.First).ToDictionary(g => g.Key, g => g.Sum(p => p.Second));
        Assert.Equal(new[] { "a", "b" }, perLane.Keys.Order());
        Assert.All(perLane.Values, total => Assert.Equal(model.StepCount, total));
    }

    [Fact]
    public void Timeline_BeyondMaxSteps_BarsAreRunsOfBucketsAndTheTitleSaysSo()
    {
        var events = Scenarios.PingPong(100).Events();
        var model = TimelineModel.Build(events);
        var summary = TimelineSummary.Of(model, 20);
        var figure = Figure(Charts.Timeline(events, new TimelineOptions { MaxSteps = 20 }));
        Assert.Contains($"{model.StepCount} steps summarised in buckets of {summary.BucketSize}",
            figure.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
        var traces = figure.GetProperty("data").EnumerateArray().ToList();
        var bars = traces.SelectMany(t => Array<string>(t, "y").Zip(Array<long>(t, "base"), Array<long>(t, "x"))).ToList();
        Assert.Equal(summary.SegmentsOf(0).Count + summary.SegmentsOf(1).Count, bars.Count);
        Assert.All(bars, b => Assert.Equal(0, (b.Second - model.FirstStep) % summary.BucketSize)); // every bar starts on a bucket
        Assert.All(bars.GroupBy(b => b.First), lane => Assert.Equal(model.StepCount, lane.Sum(b => b.Third)));
    }

    [Fact]
    public void Timeline_AtMostMaxLanesRows()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        for (var i = 0; i < 4; i++) s.SpawnAction(() => { });
        s.Run();
        var layout = Figure(Charts.Timeline(s.Events(), new TimelineOptions { MaxLanes = 2 })).GetProperty("layout");
        Assert.Equal(2, layout.GetProperty("yaxis").GetProperty("categoryarray").GetArrayLength());
        Assert.Contains("2 more tasklets not shown", layout.GetProperty("title").GetProperty("text").GetString());
    }

    [Fact]
    public void StepsPerTasklet_FromEventsAndFromTasklets()
    {
        var (s, producer, consumer, _) = Scenarios.ProducerConsumer();
        var fromEvents = Figure(Charts.StepsPerTasklet(s.Events())).GetProperty("data")[0];
        Assert.Equal(new[] { "producer", "consumer" }, Array<string>(fromEvents, "x"));
        Assert.Equal(new long[] { 3, 2 }, Array<long>(fromEvents, "y"));

        var fromTasklets = Figure(Charts.StepsPerTasklet([consumer, producer])).GetProperty("data")[0];
        Assert.Equal(new[] { "consumer", "producer" }, Array<string>(fromTasklets, "x"));
        Assert.Equal(new long[] { consumer.Steps, producer.Steps }, Array<long>(fromTasklets, "y"));
    }

    [Fact]
    public void ChartHtml_UsesTheGivenIdAndUrl_NoGuid_OneScript_SameFigure()
    {
        var (s, _, _, _) = Scenarios.ProducerConsumer();
        var chart = Charts.Timeline(s.Events());
        var html = ChartHtml.Render(chart, "stackless-chart-7", "plotly/plotly-2.28.0.min.js");
        Assert.DoesNotMatch(new Regex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), html);
        Assert.DoesNotContain("cdn.plot.ly", html);
        Assert.Equal(html, ChartHtml.Render(Charts.Timeline(Scenarios.ProducerConsumer().S.Events()), "stackless-chart-7", "plotly/plotly-2.28.0.min.js"));

        var doc = Scenarios.Parse(html);
        var div = doc.GetElementById("stackless-chart-7")!;
        Assert.Equal("div", div.LocalName);
        var script = Assert.Single(doc.QuerySelectorAll("script")).TextContent;
        Assert.Contains("var id = \"stackless-chart-7\";", script);
        Assert.Contains("var url = \"plotly/plotly-2.28.0.min.js\";", script);
        var json = Regex.Match(script, @"var figure = (.*);\n").Groups[1].Value;
        Assert.Equal(Normalized(GenericChart.toFigureJson(chart)), Normalized(json)); // the very figure, escaped for the script
        Assert.Equal("https://cdn.plot.ly/plotly-2.28.0.min.js", ChartHtml.CdnUrl);
    }

    [Fact]
    public void ChartHtml_NamesThatCloseTheScript_StayInsideIt()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        s.Spawn(async () => { await s.Schedule(); }, name: "</script><script>alert(1)</script>");
        s.Run();
        var html = ChartHtml.Render(Charts.Timeline(s.Events()), "c\"1", ChartHtml.CdnUrl);
        var doc = Scenarios.Parse(html);
        Assert.Single(doc.QuerySelectorAll("script"));
        Assert.NotNull(doc.GetElementById("c\"1"));
        var json = Regex.Match(doc.QuerySelector("script")!.TextContent, @"var figure = (.*);\n").Groups[1].Value;
        Assert.Contains("</script><script>alert(1)</script>", JsonDocument.Parse(json).RootElement.GetProperty("layout").GetProperty("yaxis").GetProperty("categoryarray")[0].GetString());
    }

    private static string Normalized(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
