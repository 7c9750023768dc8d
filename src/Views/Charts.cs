using Microsoft.FSharp.Core;
using Plotly.NET;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace StacklessInteractive.Views;

/// <summary>
/// Plotly.NET charts of a trace and of tasklets. Render them with <see cref="ChartHtml.Render"/> (deterministic HTML)
/// or any Plotly.NET display. The figures carry no Plotly.NET template, so they stay small and follow the page's colours.
/// </summary>
public static class Charts
{
    private const double LanePixels = 28;

    /// <summary>
    /// A Gantt-like chart of <paramref name="events"/>: one horizontal row per tasklet, each run of consecutive steps
    /// in one state a bar from its first step (the bar's base) as long as the run, coloured by state. One trace per
    /// state, in legend order, so the legend names the colours. Like <see cref="TimelineView"/>, a trace longer than
    /// <see cref="TimelineOptions.MaxSteps"/> is summarised into buckets (each bar then a run of buckets with the same
    /// majority state, the title saying so), and at most <see cref="TimelineOptions.MaxLanes"/> rows are drawn.
    /// </summary>
    public static GenericChart Timeline(IReadOnlyList<TraceEvent> events, TimelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        return Timeline(TimelineModel.Build(events), options);
    }

    /// <summary>The Gantt-like chart of a timeline already reconstructed (see <see cref="Timeline(IReadOnlyList{TraceEvent}, TimelineOptions?)"/>).</summary>
    public static GenericChart Timeline(TimelineModel model, TimelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new TimelineOptions();
        var summary = model.StepCount > Math.Max(1, options.MaxSteps) ? TimelineSummary.Of(model, Math.Max(1, options.MaxSteps)) : null;
        var drawn = model.LanesToDraw(options);
        var shown = drawn.Count;
        var lanes = drawn.Select(i => (model.Lanes[i].Label, model.Lanes[i].Tasklet, Segments: summary is null ? model.Lanes[i].Segments : summary.SegmentsOf(i))).ToList();
        var traces = new List<GenericChart>();
        foreach (var state in StatePalette.States)
        {
            if (state == LaneState.NotCreated) continue;
            var bars = lanes.SelectMany(l => l.Segments.Where(s => s.State == state).Select(s => (l.Label, l.Tasklet, Segment: s))).ToList();
            if (bars.Count == 0) continue;
            var chart = PlotlyChart.Bar<long, string, string>(
                bars.Select(b => b.Segment.Length),
                Keys: bars.Select(b => b.Label).ToArray(),
                Name: StatePalette.Label(state),
                MarkerColor: Color.fromString(StatePalette.Color(state)),
                Opacity: Math.Max(0.25, StatePalette.Opacity(state)),
                UseDefaults: false);
            // A step's bar spans [step - 0.5, step + 0.5): the axis's ticks sit on step centres.
            var bases = bars.Select(b => b.Segment.Start - 0.5).ToArray();
            var hover = bars.Select(b => $"{b.Label}: {(summary is null ? "" : "mostly ")}{TimelineView.StateLabel(b.Tasklet, state)}, " +
                (b.Segment.Length == 1 ? $"step {b.Segment.Start}" : $"steps {b.Segment.Start}\u2013{b.Segment.End}")).ToArray();
            traces.Add(MapTraces(chart, trace =>
            {
                trace.SetProperty("base", bases);
                trace.SetProperty("hovertext", hover);
                trace.SetProperty("hoverinfo", "text");
            }));
        }
        if (traces.Count == 0) traces.Add(PlotlyChart.Bar<long, string, string>([], Keys: Array.Empty<string>(), Name: "no steps", UseDefaults: false));
        if (summary is null) AddHandOffs(traces, model, drawn);

        var title = model.IsEmpty ? "Timeline: no trace events" : $"Timeline: steps {model.FirstStep}\u2013{model.LastStep}";
        if (summary is not null) title += $" ({model.StepCount} steps summarised in buckets of {summary.BucketSize})";
        if (shown < model.Lanes.Count) title += $", {model.Lanes.Count - shown} more tasklets not shown";
        var layout = BaseLayout(title, 160 + LanePixels * Math.Max(1, shown));
        layout.SetProperty("barmode", "overlay");
        layout.SetProperty("bargap", 0.25);
        layout.SetProperty("xaxis", Axis("step"));
        var y = Axis(null);
        y.SetProperty("categoryorder", "array");
        y.SetProperty("categoryarray", lanes.Select(l => l.Label).ToArray());
        y.SetProperty("autorange", "reversed"); // the first lane on top, as in the SVG timeline
        layout.SetProperty("yaxis", y);
        return GenericChart.setLayout(layout, PlotlyChart.Combine(traces));
    }

    /// <summary>The most hand-offs drawn as lines on the Plotly timeline; beyond, the SVG timeline shows them.</summary>
    public const int MaxHandOffLines = 300;

    /// <summary>
    /// One line per hand-off, from the sender's row to the receiver's at the step's centre, in one trace (the
    /// segments separated by gaps), so the legend has one "hand-offs" entry.
    /// </summary>
    private static void AddHandOffs(List<GenericChart> traces, TimelineModel model, IReadOnlyList<int> drawn)
    {
        var label = new Dictionary<Tasklet, string>(ReferenceEqualityComparer.Instance);
        foreach (var i in drawn) label[model.Lanes[i].Tasklet] = model.Lanes[i].Label;
        var shown = model.HandOffs.Where(h => label.ContainsKey(h.From) && label.ContainsKey(h.To)).Take(MaxHandOffLines).ToList();
        if (shown.Count == 0) return;
        var x = new List<double?>();
        var y = new List<string?>();
        var hover = new List<string?>();
        foreach (var h in shown)
        {
            var text = $"step {h.Step}: {h.From.Name} \u2192 {h.To.Name} on {h.Channel?.Name ?? "a channel"}: {Html.Shorten(Html.ValueText(h.Value), 60)}";
            x.AddRange([h.Step, h.Step, null]);
            y.AddRange([label[h.From], label[h.To], null]);
            hover.AddRange([text, text, null]);
        }
        var line = new Trace("scatter");
        line.SetProperty("x", x.ToArray());
        line.SetProperty("y", y.ToArray());
        line.SetProperty("mode", "lines+markers");
        line.SetProperty("name", "hand-offs");
        line.SetProperty("hovertext", hover.ToArray());
        line.SetProperty("hoverinfo", "text");
        var style = new DynamicObj.DynamicObj();
        style.SetProperty("color", "rgba(127,127,127,0.9)");
        style.SetProperty("width", 1.5);
        line.SetProperty("line", style);
        var marker = new DynamicObj.DynamicObj();
        marker.SetProperty("symbol", "arrow");
        marker.SetProperty("angleref", "previous");
        marker.SetProperty("size", 9);
        marker.SetProperty("color", "rgba(127,127,127,0.9)");
        line.SetProperty("marker", marker);
        line.SetProperty("connectgaps", false);
        traces.Add(GenericChart.ofTraceObject(true, line));
    }

    /// <summary>Above this many tasklets, <see cref="StepsPerTasklet(IReadOnlyList{TraceEvent})"/>'s bar per tasklet gives way to <see cref="ScaleSummary"/>.</summary>
    public const int MaxBarsPerTasklet = 50;

    /// <summary>
    /// What a bar per tasklet cannot show at 10,000 tasklets: how many tasklets ran how many steps (a histogram),
    /// how many tasklet-steps were spent in each state, and the <paramref name="top"/> tasklets by steps.
    /// </summary>
    public static IReadOnlyList<GenericChart> ScaleSummary(IReadOnlyList<TraceEvent> events, int top = 10)
    {
        ArgumentNullException.ThrowIfNull(events);
        var model = TimelineModel.Build(events);
        var steps = new Dictionary<Tasklet, long>(ReferenceEqualityComparer.Instance);
        foreach (var lane in model.Lanes) steps[lane.Tasklet] = 0;
        foreach (var e in events)
            if (e.Reason == TraceReason.Run && steps.ContainsKey(e.Tasklet)) steps[e.Tasklet]++;

        // Histogram: buckets of equal width over 0..max steps, at most 20.
        var max = steps.Count == 0 ? 0 : steps.Values.Max();
        var width = Math.Max(1, (max + 20) / 20);
        var buckets = new long[(int)(max / width) + 1];
        foreach (var n in steps.Values) buckets[n / width]++;
        var keys = buckets.Select((_, b) => width == 1 ? $"{b}" : $"{b * width}\u2013{b * width + width - 1}").ToArray();
        var histogram = PlotlyChart.Column<long, string, string>(buckets, Keys: keys, Name: "tasklets",
            MarkerColor: Color.fromString(StatePalette.Color(LaneState.Running)), UseDefaults: false);
        var histogramLayout = BaseLayout($"How many steps each of the {steps.Count:N0} tasklets ran", 380);
        histogramLayout.SetProperty("xaxis", Axis("steps run"));
        histogramLayout.SetProperty("yaxis", Axis("tasklets"));
        histogramLayout.SetProperty("showlegend", false);

        var perState = StatePalette.States.Where(s => s != LaneState.NotCreated)
            .Select(s => (State: s, Count: model.Lanes.Sum(l => l.Segments.Where(g => g.State == s).Sum(g => (long)g.Length)))).Where(p => p.Count > 0).ToList();
        var states = PlotlyChart.Column<long, string, string>(perState.Select(p => p.Count), Keys: perState.Select(p => StatePalette.Label(p.State)).ToArray(),
            Name: "tasklet-steps", UseDefaults: false);
        states = MapTraces(states, trace =>
        {
            var marker = new DynamicObj.DynamicObj();
            marker.SetProperty("color", perState.Select(p => StatePalette.Color(p.State)).ToArray());
            trace.SetProperty("marker", marker);
        });
        var statesLayout = BaseLayout("Time in each state (tasklet-steps)", 380);
        statesLayout.SetProperty("xaxis", Axis(null));
        statesLayout.SetProperty("yaxis", Axis("tasklet-steps"));
        statesLayout.SetProperty("showlegend", false);

        var best = steps.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Id).Take(top).ToList();
        var topChart = StepsChart(TimelineModel.UniqueLabels(best.Select(p => p.Key).ToList()), best.Select(p => p.Value).ToArray(), $"The {best.Count} tasklets that ran most");
        return [GenericChart.setLayout(histogramLayout, histogram), GenericChart.setLayout(statesLayout, states), topChart];
    }

    /// <summary>Steps each tasklet has run so far (<see cref="Tasklet.Steps"/>), as a bar chart in the order given.</summary>
    public static GenericChart StepsPerTasklet(IEnumerable<Tasklet> tasklets)
    {
        ArgumentNullException.ThrowIfNull(tasklets);
        var list = tasklets.ToList();
        return StepsChart(TimelineModel.UniqueLabels(list), list.Select(t => t.Steps).ToArray(), "Steps run per tasklet");
    }

    /// <summary>Steps each tasklet ran within <paramref name="events"/> (its <see cref="TraceReason.Run"/> events), ordered by tasklet id.</summary>
    public static GenericChart StepsPerTasklet(IReadOnlyList<TraceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var counts = events.Where(e => e.Reason == TraceReason.Run).GroupBy(e => e.Tasklet).OrderBy(g => g.Key.Id).ToList();
        return StepsChart(TimelineModel.UniqueLabels(counts.Select(g => g.Key).ToList()), counts.Select(g => (long)g.Count()).ToArray(),
            "Steps run per tasklet in the trace");
    }

    private static GenericChart StepsChart(IReadOnlyList<string> labels, long[] steps, string title)
    {
        var chart = PlotlyChart.Column<long, string, string>(steps, Keys: labels.ToArray(), Name: "steps",
            MarkerColor: Color.fromString(StatePalette.Color(LaneState.Running)), UseDefaults: false);
        var layout = BaseLayout(title, 380);
        layout.SetProperty("xaxis", Axis(null));
        layout.SetProperty("yaxis", Axis("steps"));
        layout.SetProperty("showlegend", false);
        return GenericChart.setLayout(layout, chart);
    }

    private static GenericChart MapTraces(GenericChart chart, Action<Trace> change) =>
        GenericChart.mapTrace(FSharpFunc<Trace, Trace>.FromConverter(trace => { change(trace); return trace; }), chart);

    /// <summary>Transparent backgrounds and grey grid lines, so the chart reads on light and dark pages.</summary>
    private static Layout BaseLayout(string title, double height)
    {
        var layout = new Layout();
        var t = new DynamicObj.DynamicObj();
        t.SetProperty("text", title);
        layout.SetProperty("title", t);
        layout.SetProperty("height", Math.Min(height, 4000));
        layout.SetProperty("paper_bgcolor", "rgba(0,0,0,0)");
        layout.SetProperty("plot_bgcolor", "rgba(0,0,0,0)");
        var margin = new DynamicObj.DynamicObj();
        margin.SetProperty("l", 140);
        margin.SetProperty("r", 20);
        margin.SetProperty("t", 50);
        margin.SetProperty("b", 50);
        layout.SetProperty("margin", margin);
        return layout;
    }

    private static DynamicObj.DynamicObj Axis(string? title)
    {
        var axis = new DynamicObj.DynamicObj();
        if (title is not null)
        {
            var t = new DynamicObj.DynamicObj();
            t.SetProperty("text", title);
            axis.SetProperty("title", t);
        }
        axis.SetProperty("gridcolor", "rgba(127,127,127,0.3)");
        axis.SetProperty("zerolinecolor", "rgba(127,127,127,0.5)");
        axis.SetProperty("automargin", true);
        return axis;
    }
}
