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
        var shown = Math.Min(model.Lanes.Count, Math.Max(1, options.MaxLanes));
        var lanes = Enumerable.Range(0, shown)
            .Select(i => (model.Lanes[i].Label, Segments: summary is null ? model.Lanes[i].Segments : summary.SegmentsOf(i))).ToList();
        var traces = new List<GenericChart>();
        foreach (var state in StatePalette.States)
        {
            if (state == LaneState.NotCreated) continue;
            var bars = lanes.SelectMany(l => l.Segments.Where(s => s.State == state).Select(s => (l.Label, Segment: s))).ToList();
            if (bars.Count == 0) continue;
            var chart = PlotlyChart.Bar<long, string, string>(
                bars.Select(b => b.Segment.Length),
                Keys: bars.Select(b => b.Label).ToArray(),
                Name: StatePalette.Label(state),
                MarkerColor: Color.fromString(StatePalette.Color(state)),
                Opacity: Math.Max(0.25, StatePalette.Opacity(state)),
                UseDefaults: false);
            var bases = bars.Select(b => b.Segment.Start).ToArray();
            var hover = bars.Select(b => $"{b.Label}: {(summary is null ? "" : "mostly ")}{StatePalette.Label(state)}, " +
                (b.Segment.Length == 1 ? $"step {b.Segment.Start}" : $"steps {b.Segment.Start}\u2013{b.Segment.End}")).ToArray();
            traces.Add(MapTraces(chart, trace =>
            {
                trace.SetProperty("base", bases);
                trace.SetProperty("hovertext", hover);
                trace.SetProperty("hoverinfo", "text");
            }));
        }
        if (traces.Count == 0) traces.Add(PlotlyChart.Bar<long, string, string>([], Keys: Array.Empty<string>(), Name: "no steps", UseDefaults: false));

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
