using System.Text;

namespace StacklessInteractive.Views;

/// <summary>
/// The scheduler as the talk's "High level view of scheduler" draws it: the current tasklet, then the
/// runnable ring in the order the tasklets will run; the blocked tasklets hanging off the channel each waits on;
/// the paused ones apart. A deadlock is said first and loudly.
/// </summary>
public static class SchedulerView
{
    /// <summary>How many tasklets a row of the view shows (the run queue, a channel's queue, the paused) before "+N more".</summary>
    public const int DefaultMaxPerRow = 60;

    /// <summary>How many channels with waiters the view shows before "+N more".</summary>
    public const int MaxChannels = 30;

    /// <summary>
    /// Renders <paramref name="scheduler"/>'s present state; each row shows at most <paramref name="maxPerRow"/> tasklets
    /// and says how many more. <paramref name="deadlockBanner"/> false leaves the deadlock banner to a
    /// <see cref="DeadlockView"/> shown with it, so that one output has one banner.
    /// </summary>
    public static string Render(Scheduler scheduler, int maxPerRow = DefaultMaxPerRow, bool deadlockBanner = true)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        var tasklets = scheduler.Tasklets;
        var report = scheduler.GetDeadlockReport();
        var sb = Html.Begin("sl-scheduler", $"data-deadlock=\"{(report.IsDeadlock ? "true" : "false")}\"");
        sb.Append("<div class=\"sl-title\">Scheduler <span class=\"sl-muted\">").Append(Html.Num(scheduler.AliveCount))
          .Append(" alive (main not counted), run count ").Append(Html.Num(scheduler.RunCount)).Append(", ")
          .Append(Html.Num(scheduler.Steps)).Append(scheduler.Steps == 1 ? " step run" : " steps run").Append("</span></div>");
        if (report.IsDeadlock && deadlockBanner)
        {
            sb.Append("<div class=\"sl-alert\" data-role=\"deadlock\">Deadlock: ").Append(Html.Num(report.Blocked.Count))
              .Append(report.Blocked.Count == 1 ? " tasklet is" : " tasklets are").Append(" blocked and none can run.</div>");
        }

        // The ring: the current tasklet, then the run queue in order; the next to run comes right after current.
        var runQueue = scheduler.RunQueue;
        sb.Append("<div class=\"sl-box\"><div class=\"sl-label\">run queue (current first)</div><ol class=\"sl-ring\">");
        sb.Append(Html.Chip(scheduler.Current, role: "current", note: "current"));
        Html.Chips(sb, runQueue.Where(t => t != scheduler.Current).ToList(), maxPerRow, t => Html.Chip(t, role: "runnable"));
        sb.Append("</ol></div>");

        AppendBlocked(sb, scheduler, tasklets, maxPerRow);

        // Main is out of the ring while Run() drives the others (as in Stackless), so a view made inside a tasklet shows it here.
        var mainPaused = scheduler.Main.State == TaskletState.Paused;
        var paused = tasklets.Where(t => t.Paused && !t.IsMain).ToList();
        if (paused.Count > 0 || mainPaused)
        {
            sb.Append("<div class=\"sl-box\"><div class=\"sl-label\">paused (out of the ring)</div><ol class=\"sl-ring sl-paused\">");
            if (mainPaused) sb.Append(Html.Chip(scheduler.Main, role: "paused", note: "in Run()"));
            Html.Chips(sb, paused, maxPerRow, t => Html.Chip(t, role: "paused"));
            sb.Append("</ol></div>");
        }
        sb.Append(Html.Legend(StatePalette.States.Where(s => s != LaneState.NotCreated && s != LaneState.Dead)));
        return Html.End(sb);
    }

    private static void AppendBlocked(StringBuilder sb, Scheduler scheduler, IReadOnlyList<Tasklet> tasklets, int maxPerRow)
    {
        // Each channel some tasklet waits on, oldest channel first, with its wait queue in the order it is served.
        var channels = tasklets.Append(scheduler.Main)
            .SelectMany(t => t.SelectingOn.Count > 0 ? t.SelectingOn.Select(w => (ChannelBase?)w.Channel) : [t.BlockedOn]).OfType<ChannelBase>()
            .Distinct().OrderBy(c => c.Id).ToList();
        var io = tasklets.Where(t => t.State == TaskletState.WaitingIO).ToList();
        if (channels.Count == 0 && io.Count == 0) return;
        sb.Append("<div class=\"sl-box\"><div class=\"sl-label\">blocked</div>");
        foreach (var ch in channels.Take(MaxChannels))
        {
            var waiters = ch.Waiters;
            var direction = Math.Sign(ch.Balance);
            sb.Append("<div class=\"sl-waitrow sl-channel\" data-channel=\"").Append(Html.Escape(ch.Name)).Append("\" data-channel-id=\"").Append(Html.Num(ch.Id))
              .Append("\" data-balance=\"").Append(Html.Num(ch.Balance)).Append("\">");
            sb.Append("<span class=\"sl-chip sl-chan\" title=\"").Append(Html.Escape(ChannelView.BalanceMeaning(ch.Balance))).Append("\">")
              .Append(Html.Escape(ch.Name)).Append(" <small>balance ").Append(Html.Num(ch.Balance)).Append("</small></span>");
            sb.Append("<span class=\"sl-muted\">").Append(direction > 0 ? "senders waiting:" : "receivers waiting:").Append("</span>");
            sb.Append("<ol class=\"sl-queue\">");
            Html.Chips(sb, waiters, maxPerRow, t =>
            {
                var dir = direction > 0 ? "send" : "receive"; // every waiter of a channel waits its way (a select's too)
                return Html.Chip(t, role: "blocked", note: dir, attributes: $"data-direction=\"{dir}\"");
            });
            sb.Append("</ol></div>");
        }
        if (channels.Count > MaxChannels)
            sb.Append("<div class=\"sl-waitrow\">").Append(Html.More(channels.Count - MaxChannels, "span")).Append("<span class=\"sl-muted\">channels with waiters</span></div>");
        if (io.Count > 0)
        {
            sb.Append("<div class=\"sl-waitrow\" data-role=\"io\"><span class=\"sl-chip sl-chan\">I/O</span><span class=\"sl-muted\">waiting on an asynchronous operation:</span><ol class=\"sl-queue\">");
            Html.Chips(sb, io, maxPerRow, t => Html.Chip(t, role: "waiting-io"));
            sb.Append("</ol></div>");
        }
        sb.Append("</div>");
    }
}
