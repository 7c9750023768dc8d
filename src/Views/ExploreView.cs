using System.Text;

namespace StacklessInteractive.Views;

/// <summary>
/// What an exploration found, as HTML: how many schedules ran, the distinct outcomes with their counts and shares,
/// and the first failing schedule, shrunk, as a timeline with the bug marked (and the deadlock panel for a deadlock).
/// A pure function of the <see cref="ExploreResult"/>.
/// </summary>
public static class ExploreView
{
    /// <summary>The most outcome rows shown; the rest are counted.</summary>
    public const int MaxOutcomes = 20;

    /// <summary>Renders <paramref name="result"/>.</summary>
    public static string Render(ExploreResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = result.Options;
        var sb = Html.Begin("sl-explore-view", $"data-schedules=\"{Html.Num(result.Schedules)}\" data-outcomes=\"{Html.Num(result.Outcomes.Count)}\" data-failures=\"{Html.Num(result.Failures)}\"");
        var strategy = options.Strategy switch
        {
            ExploreStrategy.Random => $"random walks from seed {options.Seed}",
            ExploreStrategy.Pct => $"PCT of depth {options.Depth} from seed {options.Seed}",
            _ => options.Reduction ? "depth-first search with partial-order reduction" : "depth-first search",
        };
        sb.Append("<p class=\"sl-summary\">").Append(Html.Escape($"{result.Schedules:N0} schedule{(result.Schedules == 1 ? "" : "s")} ({strategy})"));
        if (options.Strategy == ExploreStrategy.Dfs)
            sb.Append(Html.Escape(result.Exhausted ? ": every schedule" : $": stopped at the bound of {options.Schedules:N0}, more exist"))
              .Append(Html.Escape(result.Pruned > 0 ? $"; {result.Pruned:N0} run{(result.Pruned == 1 ? "" : "s")} cut by the reduction" : ""));
        sb.Append(Html.Escape($". {result.Outcomes.Count} distinct outcome{(result.Outcomes.Count == 1 ? "" : "s")}, "))
          .Append(result.Failures == 0 ? "no bug." : Html.Escape($"{result.Failures:N0} failing.")).Append("</p>");

        sb.Append("<table class=\"sl-outcomes\"><thead><tr><th>outcome</th><th>schedules</th><th>share</th><th>first schedule</th></tr></thead><tbody>");
        foreach (var o in result.Outcomes.Take(MaxOutcomes))
        {
            var share = result.Schedules == 0 ? 0 : 100.0 * o.Count / result.Schedules;
            sb.Append("<tr data-count=\"").Append(Html.Num(o.Count)).Append('"').Append(o.Bug is null ? "" : " data-bug=\"" + Html.Escape(o.Bug.KindName) + "\"").Append("><td><pre>")
              .Append(Html.Escape(o.Output.Length == 0 ? "(no output)" : o.Output.TrimEnd('\n', '\r'))).Append("</pre>");
            if (o.Bug is not null) sb.Append("<div class=\"sl-bug\">⚠ ").Append(Html.Escape(o.Bug.KindName + ": " + o.Bug.Message)).Append("</div>");
            sb.Append("</td><td>").Append(Html.Num(o.Count)).Append("</td><td>").Append(Html.Num(Math.Round(share, 1))).Append("%</td><td><code>")
              .Append(Html.Escape(o.Example.ToString())).Append("</code></td></tr>");
        }
        sb.Append("</tbody></table>");
        if (result.Outcomes.Count > MaxOutcomes) sb.Append(Html.More(result.Outcomes.Count - MaxOutcomes, "p"));

        if (result.Shrunk is { Bug: { } bug } shrunk)
        {
            var found = result.FirstFailure!;
            sb.Append("<div class=\"sl-failure\" data-bug=\"").Append(Html.Escape(bug.KindName)).Append("\" data-schedule=\"")
              .Append(Html.Escape(shrunk.Schedule.ToString())).Append("\"><p class=\"sl-bug\">⚠ First failing schedule: <b>")
              .Append(Html.Escape(bug.ToString())).Append("</b></p><p>Found as <code>").Append(Html.Escape((found.Seeded ?? found.Schedule).ToString()))
              .Append("</code> (choices <code>").Append(Html.Escape(found.Schedule.ToString())).Append("</code>), shrunk to <code>")
              .Append(Html.Escape(shrunk.Schedule.ToString())).Append("</code> (").Append(Html.Num(shrunk.Schedule.Deviations))
              .Append(" deviation").Append(shrunk.Schedule.Deviations == 1 ? "" : "s").Append(" from Stackless's order, ")
              .Append(Html.Num(shrunk.Steps)).Append(" steps). <code>#!replay ").Append(Html.Escape(shrunk.Schedule.ToString()))
              .Append("</code> steps through it.</p>");
            if (shrunk.Output.Length > 0) sb.Append("<pre class=\"sl-output\">").Append(Html.Escape(shrunk.Output.TrimEnd('\n', '\r'))).Append("</pre>");
            sb.Append(TimelineView.Render(shrunk.Trace));
            sb.Append("<p class=\"sl-bug\" data-step=\"").Append(Html.Num(bug.Step)).Append("\">⚠ step ").Append(Html.Num(bug.Step))
              .Append(bug.Tasklet is null ? "" : ", " + Html.Escape(bug.Tasklet)).Append(": ").Append(Html.Escape(bug.KindName + " — " + bug.Message)).Append("</p>");
            if (bug.Deadlock is { } report) sb.Append(DeadlockView.Render(report, t => t.ReachableChannels()));
            sb.Append("</div>");
        }
        return Html.End(sb);
    }
}
