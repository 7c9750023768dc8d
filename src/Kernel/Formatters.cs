using Microsoft.DotNet.Interactive.Formatting;
using StacklessInteractive.Views;

namespace StacklessInteractive.Kernel;

/// <summary>
/// A cell that returns a tasklet, a channel, the scheduler, a trace or a deadlock report shows its view; a Plotly.NET
/// chart shows as our deterministic chart HTML (plotly.js from <see cref="NotebookSession.PlotlyJsUrl"/>).
/// </summary>
internal static class Formatters
{
    public static void Register(NotebookSession session)
    {
        Formatter.Register<Tasklet>((t, w) => w.Write(TaskletTable.Render([t])), HtmlFormatter.MimeType);
        Formatter.Register<ChannelBase>((c, w) => w.Write(ChannelView.Render(c, c.Owner == session.Scheduler ? session.Trace.Events : null)), HtmlFormatter.MimeType);
        Formatter.Register<Scheduler>((s, w) => w.Write((s == session.Scheduler ? session.StateHtml(s) : SchedulerView.Render(s)) + TaskletTable.Render(s.Tasklets.OrderBy(t => t.Id))), HtmlFormatter.MimeType);
        Formatter.Register<TraceRecorder>((r, w) => w.Write(TimelineView.Render(r.Events)), HtmlFormatter.MimeType);
        Formatter.Register<Plotly.NET.GenericChart>((c, w) => w.Write(ChartHtml.Render(c, session.NextChartId(), session.PlotlyJsUrl)), HtmlFormatter.MimeType);
        Formatter.Register<DeadlockReport>((d, w) => w.Write(session.DeadlockHtml(d)), HtmlFormatter.MimeType);
    }
}
