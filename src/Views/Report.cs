using System.Text;

namespace StacklessInteractive.Views;

/// <summary>
/// One self-contained HTML page of a scheduler, for any program (a console app, a test, a file-based app): the views
/// a notebook shows (scheduler, deadlock panel, tasklets, channels, timeline) and the charts, with plotly.js inlined,
/// so the page opens offline and can be mailed or attached to a bug.
/// </summary>
/// <remarks>
/// The timeline and the charts are drawn from <see cref="Scheduler.Trace"/> (set a <see cref="TraceRecorder"/> before
/// running); the channel views list <see cref="Scheduler.Channels"/>, which holds the channels made while
/// <see cref="Scheduler.TrackChannels"/> is on. Nothing in the page depends on the time it was written, so two reports
/// of the same run are the same bytes.
/// </remarks>
public static class Report
{
    /// <summary>Writes the report of <paramref name="scheduler"/>'s present state and trace to <paramref name="path"/>.</summary>
    /// <param name="scheduler">The scheduler, between runs.</param>
    /// <param name="path">The HTML file to write (replaced if it exists).</param>
    /// <param name="title">The page's title; "StacklessInteractive report" by default.</param>
    /// <param name="options">How the timeline is drawn.</param>
    public static void Write(Scheduler scheduler, string path, string? title = null, TimelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        File.WriteAllText(path, Render(scheduler, title, options), new UTF8Encoding(false));
    }

    /// <summary>The report's HTML (see <see cref="Write"/>).</summary>
    public static string Render(Scheduler scheduler, string? title = null, TimelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        title = string.IsNullOrWhiteSpace(title) ? "StacklessInteractive report" : title;
        var events = scheduler.Trace?.Events ?? [];
        var deadlock = scheduler.GetDeadlockReport();
        var model = TimelineModel.Build(events);
        var sb = new StringBuilder(4 << 20);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append("<title>").Append(Html.Escape(title)).Append("</title><style>").Append(PageStyle).Append("</style>");
        // plotly.js first, so that each chart's script finds window.Plotly and never loads anything.
        sb.Append("<script type=\"text/javascript\">/* plotly.js ").Append(PlotlyJs.Version).Append(", inlined */\n")
          .Append(PlotlyJs.Read().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)).Append("\n</script></head><body>");
        sb.Append("<header><h1>").Append(Html.Escape(title)).Append("</h1><p class=\"sl-muted\">")
          .Append(Html.Num(scheduler.Steps)).Append(scheduler.Steps == 1 ? " step run, " : " steps run, ")
          .Append(Html.Num(scheduler.AliveCount)).Append(" tasklets alive (main not counted), ")
          .Append(scheduler.Trace is { } trace
              ? $"{Html.Num(trace.Count)} trace events kept" + (trace.Dropped > 0 ? $" ({Html.Num(trace.Dropped)} older ones dropped)" : "")
              : "no trace recorded (set scheduler.Trace = new TraceRecorder() before running to get the timeline)")
          .Append(".</p><nav>");
        foreach (var (id, name) in Sections) sb.Append("<a href=\"#").Append(id).Append("\">").Append(name).Append("</a>");
        sb.Append("</nav></header>");

        Section(sb, "scheduler", SchedulerView.Render(scheduler));
        Section(sb, "deadlock", DeadlockView.Render(deadlock));
        Section(sb, "tasklets", TaskletTable.Render(scheduler.Tasklets.OrderBy(t => t.Id)));
        var channels = scheduler.Channels;
        Section(sb, "channels", channels.Count > 0 ? ChannelView.RenderAll(channels, events)
            : "<p class=\"sl-muted\">No channels tracked: set <code>scheduler.TrackChannels = true</code> before making them.</p>");
        Section(sb, "timeline", TimelineView.Render(model, options));
        Section(sb, "charts", model.IsEmpty
            ? "<p class=\"sl-muted\">No trace events to chart.</p>"
            : ChartHtml.Render(Charts.Timeline(model, options), "report-chart-timeline", LocalPlotlyJs)
              + ChartHtml.Render(Charts.StepsPerTasklet(events), "report-chart-steps", LocalPlotlyJs));
        sb.Append("<footer class=\"sl-muted\">Written by StacklessInteractive.Views.Report; plotly.js ").Append(PlotlyJs.Version)
          .Append(" (MIT licence) is inlined above.</footer></body></html>\n");
        return sb.ToString();
    }

    // Never fetched: the page carries plotly.js. Named only because a chart's script says where it would look.
    private const string LocalPlotlyJs = "plotly.min.js";

    private static readonly (string Id, string Name)[] Sections =
        [("scheduler", "Scheduler"), ("deadlock", "Deadlock"), ("tasklets", "Tasklets"), ("channels", "Channels"), ("timeline", "Timeline"), ("charts", "Charts")];

    private static void Section(StringBuilder sb, string id, string html)
    {
        var name = Sections.Single(s => s.Id == id).Name;
        sb.Append("<section id=\"").Append(id).Append("\"><h2>").Append(name).Append("</h2>").Append(html).Append("</section>");
    }

    private const string PageStyle =
        "body{font:14px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;padding:1em 1.5em;max-width:1200px;color:#1f2328;background:#fff}" +
        "@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}}" +
        "h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.2em 0 .3em;border-bottom:1px solid rgba(127,127,127,.35)}" +
        "nav a{margin-right:1em}.sl-muted{opacity:.7}footer{margin-top:2em;font-size:.85em}";
}
