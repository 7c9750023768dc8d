using System.Text.Json;
using System.Text.RegularExpressions;
using Plotly.NET;

namespace StacklessInteractive.Views.Tests;

/// <summary>The Plotly.NET charts' figures, and our HTML for them.</summary>
public class ChartsTests
{
    private static JsonElement Figure(GenericChart chart) => JsonDocument.Parse(GenericChart.toFigureJson(chart)).RootElement;

    private static T[] Array<T>(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.Deserialize<T>()!).ToArray();

    private static List<JsonElement> Bars(JsonElement figure) =>
        figure.GetProperty("data").EnumerateArray().Where(t => t.GetProperty("type").GetString() == "bar").ToList();

    [Fact]
    public void Timeline_OneTracePerStatePresent_BarsCentredOnTheirStep()
    {
        var (s, _, _, _) = Scenarios.ProducerConsumer();
        var figure = Figure(Charts.Timeline(s.Events()));
        var traces = Bars(figure);
        Assert.Equal(new[] { "running", "runnable", "blocked (send)", "blocked (receive)", "dead" }, traces.Select(t => t.GetProperty("name").GetString()));
        Assert.All(traces, t => Assert.Equal("h", t.GetProperty("orientation").GetString()));

        // producer ran steps 1, 3, 5 and consumer steps 2, 4: one-step bars centred on those steps (the ticks).
        var running = traces[0];
        Assert.Equal(new[] { "producer", "producer", "producer", "consumer", "consumer" }, Array<string>(running, "y"));
        Assert.Equal(new[] { 0.5, 2.5, 4.5, 1.5, 3.5 }, Array<double>(running, "base"));
        Assert.Equal(new long[] { 1, 1, 1, 1, 1 }, Array<long>(running, "x"));
        Assert.Equal(StatePalette.Color(LaneState.Running), running.GetProperty("marker").GetProperty("color").GetString());
        var dead = traces[4];
        Assert.Equal(new[] { "consumer" }, Array<string>(dead, "y"));
        Assert.Equal(new[] { 4.5 }, Array<double>(dead, "base"));

        // and the hand-offs, a line from the sender's row to the receiver's at the step of each
        var handOffs = figure.GetProperty("data").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "hand-offs");
        var y = handOffs.GetProperty("y").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString()).ToArray();
        var model = TimelineModel.Build(s.Events());
        Assert.Equal(model.HandOffs.SelectMany(h => new[] { "producer", "consumer", null }), y);
        Assert.Equal(model.HandOffs.SelectMany(h => new double?[] { h.Step, h.Step, null }),
            handOffs.GetProperty("x").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (double?)null : e.GetDouble()));

        var layout = figure.GetProperty("layout");
        Assert.Equal("overlay", layout.GetProperty("barmode").GetString());
        Assert.Equal(new[] { "producer", "consumer" }, Array<string>(layout.GetProperty("yaxis"), "categoryarray"));
    }

    [Fact]
    public void Timeline_SegmentsAddUpToEveryStepOfEveryLane()
    {
        var events = Scenarios.PingPong(30).Events();
        var model = TimelineModel.Build(events);
        var traces = Bars(Figure(Charts.Timeline(events)));
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
        var traces = Bars(figure);
        var bars = traces.SelectMany(t => Array<string>(t, "y").Zip(Array<double>(t, "base"), Array<long>(t, "x"))).ToList();
        Assert.Equal(summary.SegmentsOf(0).Count + summary.SegmentsOf(1).Count, bars.Count);
        Assert.All(bars, b => Assert.Equal(0, (long)(b.Second + 0.5 - model.FirstStep) % summary.BucketSize)); // every bar starts on a bucket
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
    public void ScaleSummary_HistogramsStepsAndStates_AndNamesTheTopTasklets()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        for (var i = 0; i < 200; i++)
        {
            var k = i;
            s.Spawn(async () => { for (var j = 0; j < k % 5; j++) await s.Schedule(); }, name: $"w{k}");
        }
        s.Run();
        var charts = Charts.ScaleSummary(s.Events(), top: 3);
        Assert.Equal(3, charts.Count);
        var histogram = Figure(charts[0]).GetProperty("data")[0];
        Assert.Equal(200, Array<long>(histogram, "y").Sum()); // every tasklet counted once
        Assert.Equal(new long[] { 0, 40, 40, 40, 40, 40 }, Array<long>(histogram, "y")); // 1 to 5 steps each
        var states = Figure(charts[1]).GetProperty("data")[0];
        Assert.Contains("running", Array<string>(states, "x"));
        var top = Figure(charts[2]).GetProperty("data")[0];
        Assert.Equal(new[] { "w4", "w9", "w14" }, Array<string>(top, "x"));
        Assert.Equal(new long[] { 5, 5, 5 }, Array<long>(top, "y"));
    }

    [Fact]
    public void Timeline_PinnedLanes_AreDrawnBeyondMaxLanes()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        for (var i = 0; i < 10; i++) s.SpawnAction(() => { }, name: $"t{i}");
        s.Run();
        var layout = Figure(Charts.Timeline(s.Events(), new TimelineOptions { MaxLanes = 3, Pinned = t => t.Name == "t9" })).GetProperty("layout");
        Assert.Contains("t9", Array<string>(layout.GetProperty("yaxis"), "categoryarray"));
        Assert.Equal(3, layout.GetProperty("yaxis").GetProperty("categoryarray").GetArrayLength());
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
