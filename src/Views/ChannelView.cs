using System.Text;

namespace StacklessInteractive.Views;

/// <summary>
/// A channel in words: the readable form of Stackless's <c>__reduce__</c> dump <c>(balance, flags, [queue])</c>,
/// which it also shows.
/// </summary>
public static class ChannelView
{
    /// <summary>
    /// Renders <paramref name="channel"/>: name, id, balance and what it means, preference, schedule_all, closing or
    /// closed, and the wait queue in the order it is served. The runtime does not expose the value a blocked sender
    /// carries; give the <paramref name="trace"/> and each sender's value is read from its last
    /// <see cref="TraceReason.BlockSend"/> event.
    /// </summary>
    public static string Render(ChannelBase channel, IReadOnlyList<TraceEvent>? trace = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var sb = Html.Begin("sl-channel-view", Attributes(channel));
        AppendBody(sb, channel, trace);
        return Html.End(sb);
    }

    /// <summary>Renders several channels, in the order given, as one output with one style sheet; <paramref name="emptyHint"/> is what it says when there are none.</summary>
    public static string RenderAll(IEnumerable<ChannelBase> channels, IReadOnlyList<TraceEvent>? trace = null, string? emptyHint = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        var list = channels.ToList();
        var sb = Html.Begin("sl-channels", $"data-count=\"{Html.Num(list.Count)}\"");
        if (list.Count == 0)
            sb.Append("<div class=\"sl-box sl-muted\" data-role=\"empty\">").Append(emptyHint is { } hint ? Html.Escape(hint)
                : "No channels to show. Channels are listed once <code>scheduler.TrackChannels = true</code> is set before they are created.").Append("</div>");
        foreach (var ch in list)
        {
            sb.Append("<div class=\"sl-box sl-channel-view\" ").Append(Attributes(ch)).Append('>');
            AppendBody(sb, ch, trace);
            sb.Append("</div>");
        }
        return Html.End(sb);
    }

    /// <summary>What a balance means: "2 senders waiting", "1 receiver waiting", "nobody waiting".</summary>
    public static string BalanceMeaning(int balance) => balance switch
    {
        0 => "nobody waiting",
        > 0 => balance == 1 ? "1 sender waiting" : $"{balance} senders waiting",
        _ => balance == -1 ? "1 receiver waiting" : $"{-balance} receivers waiting",
    };

    /// <summary>What a preference means: -1 prefer receiver, 0 neither, 1 prefer sender, with who runs on a hand-off.</summary>
    public static string PreferenceMeaning(int preference) => preference switch
    {
        < 0 => "prefer receiver: a sender that finds a receiver switches to it at once",
        0 => "prefer neither: the partner is queued and the caller continues",
        _ => "prefer sender: a receiver that finds a sender switches to it at once",
    };

    /// <summary>How much of the <c>__reduce__</c> tuple the view writes out; a long wait queue ends in "…".</summary>
    public const int MaxReduceText = 400;

    private static string Attributes(ChannelBase ch) =>
        $"data-channel=\"{Html.Escape(ch.Name)}\" data-channel-id=\"{Html.Num(ch.Id)}\" data-balance=\"{Html.Num(ch.Balance)}\"";

    private static void AppendBody(StringBuilder sb, ChannelBase ch, IReadOnlyList<TraceEvent>? trace)
    {
        var snap = ch.Reduce();
        var state = snap.Closed ? "closed" : snap.Closing ? "closing" : "open";
        sb.Append("<div class=\"sl-title\">channel ").Append(Html.Escape(ch.Name)).Append(" <span class=\"sl-muted\">#").Append(Html.Num(ch.Id))
          .Append(", carries ").Append(Html.Escape(TypeName(ch.ElementType))).Append("</span></div>");
        sb.Append("<table class=\"sl-props\"><tbody>");
        Row(sb, "balance", Html.Num(snap.Balance), BalanceMeaning(snap.Balance) + " (negative: receivers wait; positive: senders wait)");
        Row(sb, "preference", Html.Num(snap.Preference), PreferenceMeaning(snap.Preference));
        Row(sb, "schedule_all", snap.ScheduleAll ? "true" : "false",
            snap.ScheduleAll ? "every hand-off yields: the partner, then the caller, go to the end of the run queue" : "hand-offs follow the preference");
        Row(sb, "state", state, snap.Closed ? "closing and nobody waits: operations that would block raise"
            : snap.Closing ? "closing: waiting tasklets can still be served, operations that would block raise"
            : "open");
        sb.Append("<tr data-prop=\"reduce\"><th>__reduce__</th><td colspan=\"2\"><code>").Append(Html.Escape(Html.Shorten(snap.ToString(), MaxReduceText)))
          .Append("</code> <span class=\"sl-muted\">(balance, flags, [queue]); flags ").Append(Html.Num(snap.Flags))
          .Append(" = closing bit 0, preference bits 1\u20132, schedule_all bit 3</span></td></tr>");
        sb.Append("</tbody></table>");

        if (snap.Queue.Count == 0)
        {
            sb.Append("<div class=\"sl-muted\" data-role=\"queue-empty\">wait queue: empty</div>");
            return;
        }
        sb.Append("<div class=\"sl-waitrow\"><span class=\"sl-muted\">wait queue (served first to last):</span><ol class=\"sl-queue\">");
        // At most a row of waiters, as the scheduler view shows them: 10,000 blocked senders would otherwise be megabytes,
        // and each sender's value is looked up in the trace.
        Html.Chips(sb, snap.Queue, SchedulerView.DefaultMaxPerRow, t =>
        {
            var dir = (t.BlockedDirection != 0 ? t.BlockedDirection : Math.Sign(snap.Balance)) > 0 ? "send" : "receive";
            var attributes = $"data-direction=\"{dir}\"";
            var note = dir;
            if (dir == "send" && TrySentValue(trace, t, ch, out var sent))
            {
                var text = Html.ValueText(sent);
                attributes += $" data-value=\"{Html.Escape(Html.Shorten(text, 80))}\"";
                note = "send " + Html.Shorten(text, 24);
            }
            return Html.Chip(t, role: "waiter", note: note, attributes: attributes);
        });
        sb.Append("</ol></div>");
    }

    /// <summary>
    /// The value <paramref name="sender"/> blocked with on <paramref name="channel"/>: a blocked tasklet does nothing
    /// more, so its last event in the trace is the BlockSend that carries the value.
    /// </summary>
    private static bool TrySentValue(IReadOnlyList<TraceEvent>? trace, Tasklet sender, ChannelBase channel, out object? value)
    {
        value = null;
        if (trace is null) return false;
        for (var i = trace.Count - 1; i >= 0; i--)
        {
            var e = trace[i];
            if (e.Tasklet != sender) continue;
            if (e.Reason != TraceReason.BlockSend || e.Channel != channel) return false;
            value = e.Value;
            return true;
        }
        return false;
    }

    private static void Row(StringBuilder sb, string prop, string value, string meaning) =>
        sb.Append("<tr data-prop=\"").Append(prop).Append("\"><th>").Append(prop).Append("</th><td><code>").Append(Html.Escape(value))
          .Append("</code></td><td>").Append(Html.Escape(meaning)).Append("</td></tr>");

    /// <summary>A type as C# writes it, generics included: <c>Int32</c>, <c>List&lt;String&gt;</c>.</summary>
    internal static string TypeName(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) return TypeName(inner) + "?";
        if (!type.IsGenericType) return type.Name;
        var name = type.Name;
        var tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        return name + "<" + string.Join(", ", type.GetGenericArguments().Select(TypeName)) + ">";
    }
}
