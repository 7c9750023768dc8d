namespace StacklessInteractive.Views;

/// <summary>Tasklets as a table: id, name, state, what each waits on, and the steps it has run.</summary>
public static class TaskletTable
{
    /// <summary>How many rows the table shows before saying how many more there are.</summary>
    public const int DefaultMaxRows = 200;

    /// <summary>Renders one row per tasklet, in the order given, at most <paramref name="maxRows"/> of them and a row that says how many more.</summary>
    public static string Render(IEnumerable<Tasklet> tasklets, int maxRows = DefaultMaxRows)
    {
        ArgumentNullException.ThrowIfNull(tasklets);
        var list = tasklets.ToList();
        var sb = Html.Begin("sl-tasklets", $"data-count=\"{Html.Num(list.Count)}\"");
        if (list.Count == 0)
        {
            sb.Append("<div class=\"sl-box sl-muted\">No tasklets.</div>");
            return Html.End(sb);
        }
        sb.Append("<table class=\"sl-tasklet-table\"><thead><tr><th>id</th><th>name</th><th>state</th><th>waits on</th><th>steps</th></tr></thead><tbody>");
        foreach (var t in list.Take(maxRows))
        {
            var lane = StatePalette.StateOf(t);
            sb.Append("<tr data-id=\"").Append(Html.Num(t.Id)).Append("\" data-tasklet=\"").Append(Html.Escape(t.Name)).Append("\" data-state=\"")
              .Append(t.State.ToString()).Append("\">");
            sb.Append("<td>").Append(Html.Num(t.Id)).Append("</td>");
            sb.Append("<td>").Append(Html.Escape(t.Name)).Append(t.IsMain && t.Name != "main" ? " <small>(main)</small>" : "").Append("</td>");
            sb.Append("<td><span class=\"sl-chip sl-s-").Append(StatePalette.Key(lane)).Append("\">").Append(StateText(t)).Append("</span></td>");
            sb.Append("<td data-role=\"waits-on\">").Append(WaitsOn(t)).Append("</td>");
            sb.Append("<td>").Append(Html.Num(t.Steps)).Append("</td></tr>");
        }
        if (list.Count > maxRows)
            sb.Append("<tr data-role=\"more\" data-count=\"").Append(Html.Num(list.Count - maxRows)).Append("\"><td colspan=\"5\" class=\"sl-muted\">+")
              .Append(Html.Num(list.Count - maxRows)).Append(" more tasklets</td></tr>");
        sb.Append("</tbody></table>");
        return Html.End(sb);
    }

    private static string StateText(Tasklet t) => t.State switch
    {
        TaskletState.New => "new",
        TaskletState.Runnable => "runnable",
        TaskletState.Current => "current",
        TaskletState.Blocked => "blocked",
        TaskletState.Paused => "paused",
        TaskletState.Dead => "dead",
        TaskletState.WaitingIO => "waiting on I/O",
        _ => t.State.ToString(),
    };

    private static string WaitsOn(Tasklet t)
    {
        if (t.SelectingOn.Count > 0)
            return "<span data-direction=\"select\">select: " + string.Join(", ", t.SelectingOn.Select(w =>
                $"<span data-channel=\"{Html.Escape(w.Channel.Name)}\" data-direction=\"{w.Action}\">{w.Action} on <code>{Html.Escape(w.Channel.Name)}</code></span>")) + "</span>";
        if (t.BlockedOn is { } ch)
        {
            var action = t.BlockedDirection > 0 ? "send" : "receive";
            return $"<span data-channel=\"{Html.Escape(ch.Name)}\" data-direction=\"{action}\">{action} on <code>{Html.Escape(ch.Name)}</code> " +
                   $"<span class=\"sl-muted\">(balance {Html.Num(ch.Balance)})</span></span>";
        }
        return t.State == TaskletState.WaitingIO ? "<span data-direction=\"io\">I/O (an asynchronous operation)</span>" : "";
    }
}
