using System.Text;

namespace StacklessInteractive.Views;

/// <summary>
/// The tick trace as a picture: one lane per tasklet, one column per step, each cell coloured by what the
/// tasklet was doing, and an arrow for each channel hand-off from the sender's lane to the receiver's,
/// labelled with the value. Inline SVG, no script.
/// </summary>
public static class TimelineView
{
    private const double LabelWidth = 150;
    private const double LaneHeight = 20;
    private const double RowHeight = 26;
    private const double AxisHeight = 22;
    private const int MaxCellTitles = 3000; // beyond, cells carry no tooltip, which would be most of the output

    /// <summary>Draws <paramref name="events"/> (oldest first), exactly up to <see cref="TimelineOptions.MaxSteps"/> steps, summarised beyond.</summary>
    public static string Render(IReadOnlyList<TraceEvent> events, TimelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        options ??= new TimelineOptions();
        var model = TimelineModel.Build(events);
        return Render(model, options);
    }

    /// <summary>Draws a timeline already reconstructed.</summary>
    public static string Render(TimelineModel model, TimelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new TimelineOptions();
        if (model.IsEmpty)
        {
            var empty = Html.Begin("sl-timeline-view", "data-empty=\"true\"");
            empty.Append("<div class=\"sl-box sl-muted\">").Append(options.EmptyHint is { } hint ? Html.Escape(hint)
                : "No trace events to draw. Record them with <code>scheduler.Trace = new TraceRecorder()</code> before running.").Append("</div>");
            return Html.End(empty);
        }

        var maxSteps = Math.Max(1, options.MaxSteps);
        var summary = model.StepCount > maxSteps ? TimelineSummary.Of(model, maxSteps) : null;
        var drawn = model.LanesToDraw(options);
        var lanes = drawn.Select(i => model.Lanes[i]).ToList();
        var hiddenLanes = model.Lanes.Count - lanes.Count;

        var sb = Html.Begin("sl-timeline-view",
            $"data-first-step=\"{Html.Num(model.FirstStep)}\" data-last-step=\"{Html.Num(model.LastStep)}\" data-lanes=\"{Html.Num(lanes.Count)}\"");
        sb.Append("<div class=\"sl-title\">Timeline <span class=\"sl-muted\">steps ").Append(Html.Num(model.FirstStep)).Append("\u2013")
          .Append(Html.Num(model.LastStep)).Append(" (").Append(Html.Num(model.StepCount)).Append(model.StepCount == 1 ? " step" : " steps").Append("), ")
          .Append(Html.Num(model.Lanes.Count)).Append(model.Lanes.Count == 1 ? " tasklet, " : " tasklets, ")
          .Append(Html.Num(model.HandOffs.Count)).Append(model.HandOffs.Count == 1 ? " hand-off" : " hand-offs").Append("</span></div>");
        if (summary is not null)
        {
            sb.Append("<div class=\"sl-note\" data-summarised=\"true\" data-bucket-size=\"").Append(Html.Num(summary.BucketSize))
              .Append("\" data-buckets=\"").Append(Html.Num(summary.BucketCount)).Append("\">")
              .Append(Html.Num(model.StepCount)).Append(" steps summarised in buckets of ").Append(Html.Num(summary.BucketSize))
              .Append(" (").Append(Html.Num(summary.BucketCount)).Append(" columns): each cell shows the state the tasklet spent most of its bucket in, ")
              .Append("and the last row counts the hand-offs in each bucket instead of drawing them.</div>");
        }
        if (hiddenLanes > 0)
        {
            sb.Append("<div class=\"sl-note\" data-hidden-lanes=\"").Append(Html.Num(hiddenLanes)).Append("\">")
              .Append(Html.Num(hiddenLanes)).Append(options.Pinned is null ? " more tasklets (the highest ids) are not drawn" : " more tasklets are not drawn")
              .Append("; their hand-offs are left out. <code>--lanes N</code> draws more, <code>--tasklet NAME</code> picks them.</div>");
        }

        if (summary is null) AppendExact(sb, model, lanes, options);
        else AppendSummary(sb, summary, drawn, options);

        sb.Append(Html.Legend(StatePalette.States));
        return Html.End(sb);
    }

    // Short runs get wide columns (room for the value labels), long ones shrink to fit the width.
    private static double CellWidth(long columns, TimelineOptions options) => Math.Clamp(Math.Max(100, options.Width) / (double)columns, 3, 64);

    private static double LaneY(int index) => AxisHeight + index * RowHeight;

    private static void OpenSvg(StringBuilder sb, double width, double height, string label)
    {
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sl-timeline\" width=\"").Append(Html.Num(width)).Append("\" height=\"")
          .Append(Html.Num(height)).Append("\" viewBox=\"0 0 ").Append(Html.Num(width)).Append(' ').Append(Html.Num(height))
          .Append("\" role=\"img\" aria-label=\"").Append(Html.Escape(label)).Append("\" font-size=\"11\">");
    }

    /// <summary>Step numbers along the top, every <c>stride</c> columns so that they never overlap.</summary>
    private static void AppendAxis(StringBuilder sb, long columns, double cellWidth, Func<long, long> stepOfColumn)
    {
        long stride = 1;
        foreach (var candidate in new long[] { 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000 })
        {
            stride = candidate;
            if (candidate * cellWidth >= 40) break;
        }
        sb.Append("<g class=\"axis\" opacity=\"0.75\">");
        for (long c = 0; c < columns; c += stride)
        {
            var x = LabelWidth + (c + 0.5) * cellWidth;
            sb.Append("<text x=\"").Append(Html.Num(x)).Append("\" y=\"14\" text-anchor=\"middle\" data-step=\"").Append(Html.Num(stepOfColumn(c)))
              .Append("\">").Append(Html.Num(stepOfColumn(c))).Append("</text>");
        }
        sb.Append("</g>");
    }

    private static void AppendLaneStart(StringBuilder sb, TaskletLane lane, int index)
    {
        var y = LaneY(index);
        sb.Append("<g class=\"lane\" data-tasklet=\"").Append(Html.Escape(lane.Tasklet.Name)).Append("\" data-id=\"").Append(Html.Num(lane.Tasklet.Id))
          .Append("\" data-label=\"").Append(Html.Escape(lane.Label)).Append("\">");
        sb.Append("<text class=\"lane-label\" x=\"").Append(Html.Num(LabelWidth - 8)).Append("\" y=\"").Append(Html.Num(y + LaneHeight / 2 + 4))
          .Append("\" text-anchor=\"end\">").Append(Html.Escape(Html.Shorten(lane.Label, 20))).Append("<title>")
          .Append(Html.Escape($"{lane.Tasklet.Name} (#{lane.Tasklet.Id})")).Append("</title></text>");
    }

    private static void AppendCell(StringBuilder sb, double x, double y, double width, LaneState state, long start, long end, string? title)
    {
        sb.Append("<rect class=\"cell\" x=\"").Append(Html.Num(x)).Append("\" y=\"").Append(Html.Num(y)).Append("\" width=\"").Append(Html.Num(width))
          .Append("\" height=\"").Append(Html.Num(LaneHeight)).Append('"');
        if (state == LaneState.NotCreated)
            sb.Append(" fill=\"none\" stroke=\"rgba(127,127,127,0.35)\" stroke-dasharray=\"2 3\"");
        else
            sb.Append(" fill=\"").Append(StatePalette.Color(state)).Append("\" fill-opacity=\"").Append(Html.Num(StatePalette.Opacity(state))).Append('"');
        sb.Append(" data-state=\"").Append(StatePalette.Key(state)).Append("\" data-start=\"").Append(Html.Num(start)).Append("\" data-end=\"")
          .Append(Html.Num(end)).Append('"');
        if (title is null) sb.Append("/>");
        else sb.Append("><title>").Append(Html.Escape(title)).Append("</title></rect>");
    }

    private static string StepRange(long start, long end) => start == end ? $"step {start}" : $"steps {start}\u2013{end}";

    private static void AppendExact(StringBuilder sb, TimelineModel model, List<TaskletLane> lanes, TimelineOptions options)
    {
        var columns = model.StepCount;
        var cell = CellWidth(columns, options);
        // room on the right for the value label of a hand-off in the last column
        var width = LabelWidth + columns * cell + 12 + (cell >= 11 ? 7 * Math.Max(1, options.ValueLabelLength) : 0);
        var height = AxisHeight + lanes.Count * RowHeight + 4;
        OpenSvg(sb, width, height, $"timeline of {lanes.Count} tasklets over {columns} steps");
        var titles = lanes.Sum(l => l.Segments.Count) <= MaxCellTitles;
        AppendAxis(sb, columns, cell, c => model.FirstStep + c);

        var laneIndex = new Dictionary<Tasklet, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < lanes.Count; i++)
        {
            var lane = lanes[i];
            laneIndex[lane.Tasklet] = i;
            AppendLaneStart(sb, lane, i);
            foreach (var seg in lane.Segments)
            {
                var x = LabelWidth + (seg.Start - model.FirstStep) * cell;
                AppendCell(sb, x, LaneY(i), seg.Length * cell, seg.State, seg.Start, seg.End,
                    titles ? $"{lane.Label}: {StateLabel(lane.Tasklet, seg.State)}, {StepRange(seg.Start, seg.End)}" : null);
            }
            sb.Append("</g>");
        }

        // Arrows on top of the lanes. Several hand-offs in one step share its column side by side.
        sb.Append("<g class=\"handoffs\">");
        var showLabels = cell >= 11;
        foreach (var group in model.HandOffs.GroupBy(h => h.Step))
        {
            var inStep = group.Where(h => laneIndex.ContainsKey(h.From) && laneIndex.ContainsKey(h.To)).ToList();
            for (var k = 0; k < inStep.Count; k++)
            {
                var h = inStep[k];
                var x = LabelWidth + (h.Step - model.FirstStep + (k + 1.0) / (inStep.Count + 1)) * cell;
                AppendArrow(sb, h, x, LaneY(laneIndex[h.From]) + LaneHeight / 2, LaneY(laneIndex[h.To]) + LaneHeight / 2, showLabels, options);
            }
        }
        sb.Append("</g></svg>");
    }

    private static void AppendArrow(StringBuilder sb, HandOffMark h, double x, double y1, double y2, bool showLabel, TimelineOptions options)
    {
        var value = Html.ValueText(h.Value);
        var channel = h.Channel?.Name ?? "a channel";
        var down = y2 > y1;
        var tip = y2 + (down ? -LaneHeight / 2 + 2 : LaneHeight / 2 - 2); // the arrow ends at the receiver's lane edge
        var headBase = tip + (down ? -6 : 6);
        sb.Append("<g class=\"handoff\" data-from=\"").Append(Html.Escape(h.From.Name)).Append("\" data-from-id=\"").Append(Html.Num(h.From.Id))
          .Append("\" data-to=\"").Append(Html.Escape(h.To.Name)).Append("\" data-to-id=\"").Append(Html.Num(h.To.Id))
          .Append("\" data-step=\"").Append(Html.Num(h.Step)).Append("\" data-channel=\"").Append(Html.Escape(channel))
          .Append("\" data-value=\"").Append(Html.Escape(Html.Shorten(value, 80))).Append("\">");
        sb.Append("<title>").Append(Html.Escape($"step {h.Step}: {h.From.Name} \u2192 {h.To.Name} on {channel}: {Html.Shorten(value, 200)}")).Append("</title>");
        sb.Append("<circle cx=\"").Append(Html.Num(x)).Append("\" cy=\"").Append(Html.Num(y1)).Append("\" r=\"2.5\" fill=\"currentColor\"/>");
        sb.Append("<line x1=\"").Append(Html.Num(x)).Append("\" y1=\"").Append(Html.Num(y1)).Append("\" x2=\"").Append(Html.Num(x)).Append("\" y2=\"")
          .Append(Html.Num(headBase)).Append("\" stroke-width=\"1.5\"/>");
        sb.Append("<path d=\"M").Append(Html.Num(x)).Append(',').Append(Html.Num(tip)).Append(" L").Append(Html.Num(x - 4)).Append(',')
          .Append(Html.Num(headBase)).Append(" L").Append(Html.Num(x + 4)).Append(',').Append(Html.Num(headBase)).Append(" Z\" stroke-width=\"1\"/>");
        if (showLabel)
        {
            sb.Append("<text class=\"value\" x=\"").Append(Html.Num(x + 4)).Append("\" y=\"").Append(Html.Num((y1 + headBase) / 2 + 3))
              .Append("\" font-size=\"10\">").Append(Html.Escape(Html.Shorten(value, Math.Max(1, options.ValueLabelLength)))).Append("</text>");
        }
        sb.Append("</g>");
    }

    /// <summary>What a cell's state means for its tasklet: main out of the ring is the one driving the run, not a paused tasklet.</summary>
    internal static string StateLabel(Tasklet tasklet, LaneState state) =>
        tasklet.IsMain && state == LaneState.Paused ? "driving the run" : StatePalette.Label(state);

    private static void AppendSummary(StringBuilder sb, TimelineSummary summary, IReadOnlyList<int> drawn, TimelineOptions options)
    {
        var model = summary.Model;
        var lanes = drawn.Select(i => model.Lanes[i]).ToList();
        var columns = summary.BucketCount;
        var cell = CellWidth(columns, options);
        var width = LabelWidth + columns * cell + 12;
        var countsY = LaneY(lanes.Count);
        var height = countsY + RowHeight + 4;
        OpenSvg(sb, width, height, $"timeline of {lanes.Count} tasklets over {model.StepCount} steps in {columns} buckets");
        var titles = drawn.Sum(i => summary.SegmentsOf(i).Count) <= MaxCellTitles;
        AppendAxis(sb, columns, cell, c => summary.BucketStart((int)c));

        for (var i = 0; i < lanes.Count; i++)
        {
            var lane = lanes[i];
            AppendLaneStart(sb, lane, i);
            foreach (var seg in summary.SegmentsOf(drawn[i]))
            {
                var x = LabelWidth + (seg.Start - model.FirstStep) / (double)summary.BucketSize * cell;
                var w = ((seg.End - seg.Start) / summary.BucketSize + 1) * cell;
                AppendCell(sb, x, LaneY(i), w, seg.State, seg.Start, seg.End,
                    titles ? $"{lane.Label}: mostly {StateLabel(lane.Tasklet, seg.State)}, {StepRange(seg.Start, seg.End)}" : null);
            }
            sb.Append("</g>");
        }

        // The hand-off row: a bar per bucket, as tall as its count against the busiest bucket.
        var max = Math.Max(1, summary.HandOffCounts.Max());
        sb.Append("<g class=\"handoff-counts\"><text x=\"").Append(Html.Num(LabelWidth - 8)).Append("\" y=\"").Append(Html.Num(countsY + LaneHeight / 2 + 4))
          .Append("\" text-anchor=\"end\">hand-offs</text>");
        for (var b = 0; b < columns; b++)
        {
            var count = summary.HandOffCounts[b];
            if (count == 0) continue;
            var h = Math.Max(2, LaneHeight * count / max);
            var x = LabelWidth + b * cell;
            sb.Append("<g class=\"handoff-count\" data-bucket=\"").Append(Html.Num(b)).Append("\" data-start=\"").Append(Html.Num(summary.BucketStart(b)))
              .Append("\" data-end=\"").Append(Html.Num(summary.BucketEnd(b))).Append("\" data-count=\"").Append(Html.Num(count)).Append("\">");
            sb.Append("<title>").Append(Html.Escape($"{count} hand-off{(count == 1 ? "" : "s")}, {StepRange(summary.BucketStart(b), summary.BucketEnd(b))}")).Append("</title>");
            sb.Append("<rect x=\"").Append(Html.Num(x + 0.5)).Append("\" y=\"").Append(Html.Num(countsY + LaneHeight - h)).Append("\" width=\"")
              .Append(Html.Num(Math.Max(1, cell - 1))).Append("\" height=\"").Append(Html.Num(h)).Append("\" fill=\"currentColor\" fill-opacity=\"0.45\"/>");
            if (cell >= 18)
                sb.Append("<text x=\"").Append(Html.Num(x + cell / 2)).Append("\" y=\"").Append(Html.Num(countsY + LaneHeight + 10))
                  .Append("\" text-anchor=\"middle\" font-size=\"9\">").Append(Html.Num(count)).Append("</text>");
            sb.Append("</g>");
        }
        sb.Append("</g></svg>");
    }
}
