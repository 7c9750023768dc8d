using System.Text;

namespace StacklessInteractive.Views;

/// <summary>
/// A deadlock report made visible, with one banner that tells stuck from waiting (see
/// <see cref="DeadlockDiagnosis"/>): each blocked tasklet, the channel it waits on, in which direction and at what
/// balance, who may still serve it, and the wait-for cycle or the chain that explains it. At most
/// <see cref="MaxRows"/> rows, so that 10,000 blocked tasklets stay a small output.
/// </summary>
public static class DeadlockView
{
    /// <summary>How many blocked tasklets the table lists before "N more".</summary>
    public const int MaxRows = 30;

    /// <summary>How many links of a chain are drawn at each end before "N more".</summary>
    public const int ChainEnds = 4;

    /// <summary>
    /// Renders <paramref name="report"/>. <paramref name="channelsOf"/> says which channels a tasklet may use, to find
    /// the cycle; by default <see cref="Tasklet.ReachableChannels"/> (the channels in its arguments and closure).
    /// <paramref name="holderOf"/> says who, outside the blocked tasklets, may use a channel ("main" or a tasklet's
    /// name; null for nobody): what tells waiting from stuck. <paramref name="blockedAt"/> says where in its code a
    /// tasklet blocked ("line 3 of its cell"), when known.
    /// </summary>
    public static string Render(DeadlockReport report, Func<Tasklet, IEnumerable<ChannelBase>>? channelsOf = null,
        Func<ChannelBase, string?>? holderOf = null, Func<Tasklet, string?>? blockedAt = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        channelsOf ??= static t => t.ReachableChannels();
        var diagnosis = DeadlockDiagnosis.Of(report, channelsOf, holderOf);
        var blocked = report.Blocked;
        var state = diagnosis.State switch
        {
            DeadlockState.Deadlocked => "deadlocked",
            DeadlockState.Waiting => "waiting",
            DeadlockState.Running => "running",
            _ => "none-blocked",
        };
        var sb = Html.Begin("sl-deadlock-view",
            $"data-deadlock=\"{(diagnosis.State == DeadlockState.Deadlocked ? "true" : "false")}\" data-state=\"{state}\" data-blocked=\"{Html.Num(blocked.Count)}\" data-stuck=\"{Html.Num(diagnosis.Stuck.Count)}\"");
        AppendBanner(sb, report, diagnosis);
        if (blocked.Count == 0) return Html.End(sb);

        sb.Append("<table class=\"sl-blocked\"><thead><tr><th>tasklet</th><th>waits to</th><th>on channel</th><th>balance</th><th>served by</th>").Append(blockedAt is null ? "" : "<th>blocked at</th>").Append("</tr></thead><tbody>");
        // Stuck ones first: they are what the banner is about.
        foreach (var b in diagnosis.Stuck.Concat(diagnosis.Waiting).Take(MaxRows))
        {
            var servedBy = diagnosis.ServedBy(b.Tasklet) ?? "nobody";
            var stuck = diagnosis.Stuck.Contains(b);
            sb.Append("<tr data-tasklet=\"").Append(Html.Escape(b.Tasklet.Name)).Append("\" data-channel=\"").Append(Html.Escape(b.Channel.Name))
              .Append("\" data-direction=\"").Append(b.Action).Append("\" data-balance=\"").Append(Html.Num(b.Channel.Balance))
              .Append("\" data-stuck=\"").Append(stuck ? "true" : "false").Append("\" data-served-by=\"").Append(Html.Escape(servedBy)).Append("\">");
            sb.Append("<td>").Append(Html.Escape(b.Tasklet.Name)).Append("</td><td>").Append(b.Action).Append("</td><td>")
              .Append(Html.Escape(b.Channel.Name)).Append("</td><td>").Append(Html.Num(b.Channel.Balance)).Append(" <span class=\"sl-muted\">(")
              .Append(Html.Escape(ChannelView.BalanceMeaning(b.Channel.Balance))).Append(")</span></td><td>")
              .Append(Html.Escape(servedBy)).Append(stuck && servedBy != "nobody" ? " <span class=\"sl-muted\">(stuck too)</span>" : "").Append("</td>");
            if (blockedAt is not null) sb.Append("<td data-role=\"blocked-at\">").Append(Html.Escape(blockedAt(b.Tasklet) ?? "unknown")).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (blocked.Count > MaxRows)
            sb.Append("<div class=\"sl-muted\" data-role=\"more-blocked\">").Append(Html.Num(blocked.Count - MaxRows))
              .Append(" more blocked tasklets (report.Blocked lists them all).</div>");
        AppendExplanation(sb, report, diagnosis, channelsOf);
        return Html.End(sb);
    }

    private static void AppendBanner(StringBuilder sb, DeadlockReport report, DeadlockDiagnosis diagnosis)
    {
        var n = report.Blocked.Count;
        string Tasklets(int count) => count == 1 ? "1 tasklet is" : $"{Html.Num(count)} tasklets are";
        switch (diagnosis.State)
        {
            case DeadlockState.Deadlocked:
                sb.Append("<div class=\"sl-alert\" data-role=\"deadlock\">Deadlock: ");
                if (diagnosis.Stuck.Count == n) sb.Append(Tasklets(n)).Append(" blocked and none can run.");
                else sb.Append(Html.Num(diagnosis.Stuck.Count)).Append(" of the ").Append(Html.Num(n))
                        .Append(" blocked tasklets are stuck; the other ").Append(Html.Num(n - diagnosis.Stuck.Count)).Append(" may still be served.");
                sb.Append("</div>");
                return;
            case DeadlockState.Waiting:
                sb.Append("<div class=\"sl-wait\" data-role=\"waiting\">Waiting, not deadlocked: ").Append(Tasklets(n))
                  .Append(" blocked on channels that ").Append(WhoServes(report, diagnosis))
                  .Append(" can still serve. Send or receive on them from a cell (or let that tasklet run), then #!run.</div>");
                return;
            default:
                sb.Append("<div class=\"sl-fine\" data-role=\"no-deadlock\">No deadlock: ").Append(Html.Num(report.Runnable)).Append(" runnable");
                if (report.WaitingIO > 0) sb.Append(", ").Append(Html.Num(report.WaitingIO)).Append(" waiting on I/O");
                sb.Append(n switch
                {
                    0 => "; no tasklet is blocked.",
                    1 => "; 1 tasklet is blocked and may still be served.",
                    _ => $"; {n} tasklets are blocked and may still be served.",
                });
                sb.Append("</div>");
                return;
        }
    }

    /// <summary>"main", "main and producer", ...: the holders outside the blocked tasklets that the waiting ones depend on.</summary>
    private static string WhoServes(DeadlockReport report, DeadlockDiagnosis diagnosis)
    {
        var blockedNames = report.Blocked.Select(b => b.Tasklet.Name).ToHashSet();
        var holders = diagnosis.Waiting.Select(b => diagnosis.ServedBy(b.Tasklet)).OfType<string>()
            .Where(h => !blockedNames.Contains(h) || h == "main").Distinct().Take(4).ToList();
        return holders.Count == 0 ? "someone" : string.Join(" and ", holders);
    }

    private static void AppendExplanation(StringBuilder sb, DeadlockReport report, DeadlockDiagnosis diagnosis, Func<Tasklet, IEnumerable<ChannelBase>> channelsOf)
    {
        if (diagnosis.Cycle is { } cycle)
        {
            AppendCycle(sb, cycle, diagnosis.State == DeadlockState.Deadlocked);
            return;
        }
        if (diagnosis.Chain.Count > 0)
        {
            AppendChain(sb, diagnosis);
            return;
        }
        if (diagnosis.State != DeadlockState.Deadlocked) return;
        if (!WaitForGraph.KnowsChannels(report.Blocked, channelsOf) && diagnosis.Stuck.All(b => diagnosis.ServedBy(b.Tasklet) == "nobody"))
            sb.Append("<div class=\"sl-box sl-muted\" data-role=\"cycle-unknown\">Cycle unknown: which channels each tasklet uses is not known.</div>");
        else
            sb.Append("<div class=\"sl-box sl-muted\" data-role=\"no-cycle\">No wait-for cycle: each stuck tasklet waits on a channel that nothing able to run uses.</div>");
    }

    private static void AppendCycle(StringBuilder sb, IReadOnlyList<BlockedTasklet> cycle, bool deadlocked)
    {
        sb.Append("<div class=\"sl-box\" data-role=\"cycle\" data-cycle=\"").Append(Html.Escape(WaitForGraph.Format(cycle))).Append("\">")
          .Append("<div class=\"sl-label\">").Append(deadlocked ? "the cycle" : "a wait-for cycle among the blocked tasklets")
          .Append("</div><ol class=\"sl-cycle\">");
        foreach (var b in cycle) AppendLink(sb, b, "cycle");
        sb.Append(Html.Chip(cycle[0].Tasklet, role: "cycle-tasklet"));
        sb.Append("</ol><div class=\"sl-muted\">Each tasklet waits on a channel that only the next one, itself blocked, could serve.</div></div>");
    }

    /// <summary>r2 -&gt; c2 -&gt; r1 -&gt; c1 -&gt; r0 -&gt; c0 -&gt; main: the chain, its middle elided when long.</summary>
    private static void AppendChain(StringBuilder sb, DeadlockDiagnosis diagnosis)
    {
        var chain = diagnosis.Chain;
        var text = string.Join(" -> ", chain.Select(b => b.Tasklet.Name + " -> " + b.Channel.Name)) + " -> " + diagnosis.ChainEnd;
        var stuck = diagnosis.ChainEnd == "nobody" || diagnosis.Stuck.Contains(chain[^1]);
        sb.Append("<div class=\"sl-box\" data-role=\"chain\" data-length=\"").Append(Html.Num(chain.Count)).Append("\" data-end=\"")
          .Append(Html.Escape(diagnosis.ChainEnd)).Append("\" data-chain=\"").Append(Html.Escape(chain.Count <= 2 * ChainEnds ? text : "")).Append("\">")
          .Append("<div class=\"sl-label\">a chain of ").Append(Html.Num(chain.Count)).Append(" blocked tasklets</div><ol class=\"sl-cycle\">");
        for (var i = 0; i < chain.Count; i++)
        {
            if (chain.Count > 2 * ChainEnds && i == ChainEnds)
            {
                sb.Append("<li class=\"sl-muted\" data-role=\"chain-more\">\u2026 ").Append(Html.Num(chain.Count - 2 * ChainEnds)).Append(" more \u2026</li>");
                i = chain.Count - ChainEnds;
            }
            AppendLink(sb, chain[i], "chain");
        }
        sb.Append("<li class=\"sl-chip\" data-role=\"chain-end\">").Append(Html.Escape(diagnosis.ChainEnd)).Append("</li></ol><div class=\"sl-muted\">")
          .Append(Html.Escape(stuck
              ? $"Each tasklet waits on a channel that only the next one, itself blocked, could serve; the last one's channel is used by {(diagnosis.ChainEnd == "nobody" ? "nothing that can run" : diagnosis.ChainEnd + ", which is stuck")}."
              : $"Each tasklet waits on a channel that only the next one could serve; once {diagnosis.ChainEnd} serves the last, the chain unwinds."))
          .Append("</div></div>");
    }

    private static void AppendLink(StringBuilder sb, BlockedTasklet b, string role)
    {
        sb.Append(Html.Chip(b.Tasklet, role: role + "-tasklet"));
        sb.Append("<li class=\"sl-chip sl-chan\" data-role=\"").Append(role).Append("-channel\" data-channel=\"").Append(Html.Escape(b.Channel.Name)).Append("\">")
          .Append(b.Action).Append(" on ").Append(Html.Escape(b.Channel.Name)).Append("</li>");
    }
}
