using System.Text;

namespace StacklessInteractive.Views;

/// <summary>
/// A deadlock report made visible: each blocked tasklet, the channel it waits on, in which direction and at what
/// balance, and when there is one the wait-for cycle that explains the deadlock (see <see cref="WaitForGraph"/>).
/// </summary>
public static class DeadlockView
{
    /// <summary>
    /// Renders <paramref name="report"/>. <paramref name="channelsOf"/> says which channels a tasklet may use, to find
    /// the cycle; by default <see cref="Tasklet.ReachableChannels"/> (the channels in its arguments and closure).
    /// </summary>
    public static string Render(DeadlockReport report, Func<Tasklet, IEnumerable<ChannelBase>>? channelsOf = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        channelsOf ??= static t => t.ReachableChannels();
        var blocked = report.Blocked;
        var sb = Html.Begin("sl-deadlock-view", $"data-deadlock=\"{(report.IsDeadlock ? "true" : "false")}\" data-blocked=\"{Html.Num(blocked.Count)}\"");
        if (report.IsDeadlock)
        {
            sb.Append("<div class=\"sl-alert\" data-role=\"deadlock\">Deadlock: ").Append(Html.Num(blocked.Count))
              .Append(blocked.Count == 1 ? " tasklet is" : " tasklets are").Append(" blocked and none can run.</div>");
        }
        else
        {
            sb.Append("<div class=\"sl-fine\" data-role=\"no-deadlock\">No deadlock: ").Append(Html.Num(report.Runnable)).Append(" runnable");
            if (report.WaitingIO > 0) sb.Append(", ").Append(Html.Num(report.WaitingIO)).Append(" waiting on I/O");
            sb.Append(blocked.Count switch
            {
                0 => "; no tasklet is blocked.",
                1 => "; 1 tasklet is blocked and may still be served.",
                _ => $"; {blocked.Count} tasklets are blocked and may still be served.",
            });
            sb.Append("</div>");
        }
        if (blocked.Count == 0) return Html.End(sb);

        sb.Append("<table class=\"sl-blocked\"><thead><tr><th>tasklet</th><th>waits to</th><th>on channel</th><th>balance</th></tr></thead><tbody>");
        foreach (var b in blocked)
        {
            sb.Append("<tr data-tasklet=\"").Append(Html.Escape(b.Tasklet.Name)).Append("\" data-channel=\"").Append(Html.Escape(b.Channel.Name))
              .Append("\" data-direction=\"").Append(b.Action).Append("\" data-balance=\"").Append(Html.Num(b.Channel.Balance)).Append("\">");
            sb.Append("<td>").Append(Html.Escape(b.Tasklet.Name)).Append("</td><td>").Append(b.Action).Append("</td><td>")
              .Append(Html.Escape(b.Channel.Name)).Append("</td><td>").Append(Html.Num(b.Channel.Balance)).Append(" <span class=\"sl-muted\">(")
              .Append(Html.Escape(ChannelView.BalanceMeaning(b.Channel.Balance))).Append(")</span></td></tr>");
        }
        sb.Append("</tbody></table>");
        AppendCycle(sb, report, channelsOf);
        return Html.End(sb);
    }

    private static void AppendCycle(StringBuilder sb, DeadlockReport report, Func<Tasklet, IEnumerable<ChannelBase>> channelsOf)
    {
        var cycle = WaitForGraph.FindCycle(report.Blocked, channelsOf);
        if (cycle is null)
        {
            if (!WaitForGraph.KnowsChannels(report.Blocked, channelsOf))
                sb.Append("<div class=\"sl-box sl-muted\" data-role=\"cycle-unknown\">Cycle unknown: which channels each tasklet uses is not known.</div>");
            else
                sb.Append("<div class=\"sl-box sl-muted\" data-role=\"no-cycle\">No wait-for cycle: no blocked tasklet uses a channel another blocked tasklet waits on.</div>");
            return;
        }
        sb.Append("<div class=\"sl-box\" data-role=\"cycle\" data-cycle=\"").Append(Html.Escape(WaitForGraph.Format(cycle))).Append("\">")
          .Append("<div class=\"sl-label\">").Append(report.IsDeadlock ? "the cycle" : "a wait-for cycle among the blocked tasklets")
          .Append("</div><ol class=\"sl-cycle\">");
        foreach (var b in cycle)
        {
            sb.Append(Html.Chip(b.Tasklet, role: "cycle-tasklet"));
            sb.Append("<li class=\"sl-chip sl-chan\" data-role=\"cycle-channel\" data-channel=\"").Append(Html.Escape(b.Channel.Name)).Append("\">")
              .Append(b.Action).Append(" on ").Append(Html.Escape(b.Channel.Name)).Append("</li>");
        }
        sb.Append(Html.Chip(cycle[0].Tasklet, role: "cycle-tasklet"));
        sb.Append("</ol><div class=\"sl-muted\">Each tasklet waits on a channel that only the next one, itself blocked, could serve.</div></div>");
    }
}
