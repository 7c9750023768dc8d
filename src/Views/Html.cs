using System.Globalization;
using System.Text;

namespace StacklessInteractive.Views;

/// <summary>
/// What every view shares: escaping, the text of values, and the one style sheet, scoped under <c>.sl-view</c>
/// and emitted with each view so that each output stands alone.
/// </summary>
internal static class Html
{
    /// <summary>The root class of every view.</summary>
    public const string Root = "sl-view";

    /// <summary>Escapes text for an element's content or a quoted attribute.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0) return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A number as invariant text.</summary>
    public static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A coordinate as invariant text with at most two decimals.</summary>
    public static string Num(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>
    /// A value as the views show it: <c>null</c>, an exception as "Type: message", anything else by its
    /// <c>ToString()</c> (a <c>ToString()</c> that throws is shown as such rather than breaking the view).
    /// </summary>
    public static string ValueText(object? value)
    {
        try
        {
            return value switch
            {
                null => "null",
                Exception e => e.GetType().Name + (string.IsNullOrEmpty(e.Message) ? "" : ": " + e.Message),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
        }
        catch (Exception e)
        {
            return "<ToString() threw " + e.GetType().Name + ">";
        }
    }

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="max"/> characters, ending in an ellipsis when cut.</summary>
    public static string Shorten(string text, int max)
    {
        if (max < 1) max = 1;
        return text.Length <= max ? text : text[..(max - 1)] + "\u2026";
    }

    /// <summary>A tasklet as a badge coloured by its present state.</summary>
    public static string Chip(Tasklet t, string? role = null, string? note = null, string? attributes = null)
    {
        var state = StatePalette.StateOf(t);
        var sb = new StringBuilder();
        sb.Append("<li class=\"sl-chip sl-s-").Append(StatePalette.Key(state)).Append('"');
        if (attributes is not null) sb.Append(' ').Append(attributes);
        sb.Append(" data-tasklet=\"").Append(Escape(t.Name)).Append("\" data-id=\"").Append(Num(t.Id)).Append('"');
        if (role is not null) sb.Append(" data-role=\"").Append(role).Append('"');
        sb.Append(" title=\"").Append(Escape($"{t.Name} (#{t.Id}): {StatePalette.Label(state)}, {t.Steps} steps")).Append("\">");
        sb.Append(Escape(t.Name));
        if (note is not null) sb.Append(" <small>").Append(Escape(note)).Append("</small>");
        sb.Append("</li>");
        return sb.ToString();
    }

    /// <summary>Opens a view: its root element with the style sheet.</summary>
    /// <summary>
    /// Appends a chip for each of <paramref name="tasklets"/>, at most <paramref name="max"/>, then one that says how
    /// many more there are: a view of a program with thousands of tasklets stays readable and says what it left out.
    /// </summary>
    public static void Chips(StringBuilder sb, IReadOnlyList<Tasklet> tasklets, int max, Func<Tasklet, string> chip)
    {
        for (var i = 0; i < tasklets.Count && i < max; i++) sb.Append(chip(tasklets[i]));
        if (tasklets.Count > max) sb.Append(More(tasklets.Count - max, "li"));
    }

    /// <summary>The "+N more" mark for what a view leaves out, in element <paramref name="tag"/>.</summary>
    public static string More(int hidden, string tag) =>
        $"<{tag} class=\"sl-chip sl-more\" data-role=\"more\" data-count=\"{Num(hidden)}\">+{Num(hidden)} more</{tag}>";

    public static StringBuilder Begin(string viewClass, string? attributes = null)
    {
        var sb = new StringBuilder(1024);
        sb.Append("<div class=\"").Append(Root).Append(' ').Append(viewClass).Append('"');
        if (attributes is not null) sb.Append(' ').Append(attributes);
        sb.Append('>').Append(Style);
        return sb;
    }

    /// <summary>Closes what <see cref="Begin"/> opened.</summary>
    public static string End(StringBuilder sb) => sb.Append("</div>").ToString();

    /// <summary>The legend of state colours.</summary>
    public static string Legend(IEnumerable<LaneState> states)
    {
        var sb = new StringBuilder("<ul class=\"sl-legend\">");
        foreach (var s in states)
            sb.Append("<li data-state=\"").Append(StatePalette.Key(s)).Append("\"><span class=\"sl-swatch sl-s-")
              .Append(StatePalette.Key(s)).Append("\"></span>").Append(StatePalette.Label(s)).Append("</li>");
        return sb.Append("</ul>").ToString();
    }

    /// <summary>The style sheet every view carries: colours follow the page (currentColor), fills are translucent.</summary>
    public static readonly string Style = BuildStyle();

    private static string BuildStyle()
    {
        var r = "." + Root;
        var sb = new StringBuilder("<style>");
        sb.Append(r).Append("{font:13px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:inherit;margin:.3em 0;max-width:100%;overflow-x:auto}");
        sb.Append(r).Append(" .sl-title{font-weight:600;margin:.2em 0 .35em}");
        sb.Append(r).Append(" .sl-muted{opacity:.7;font-weight:400}");
        sb.Append(r).Append(" .sl-box{border:1px solid rgba(127,127,127,.45);border-radius:6px;padding:.35em .6em;margin:.35em 0;background:rgba(127,127,127,.06)}");
        sb.Append(r).Append(" .sl-label{font-size:.85em;opacity:.75;margin-bottom:.2em;text-transform:uppercase;letter-spacing:.04em}");
        sb.Append(r).Append(" .sl-alert{border:2px solid #d62728;background:rgba(214,39,40,.16);border-radius:6px;padding:.35em .6em;margin:.35em 0;font-weight:700}");
        sb.Append(r).Append(" .sl-fine{border:1px solid #2ca02c;background:rgba(44,160,44,.12);border-radius:6px;padding:.35em .6em;margin:.35em 0}");
        sb.Append(r).Append(" .sl-wait{border:1px solid #ff7f0e;background:rgba(255,127,14,.12);border-radius:6px;padding:.35em .6em;margin:.35em 0}");
        sb.Append(r).Append(" .sl-note{border-left:3px solid #ff7f0e;padding:.1em .5em;margin:.3em 0;background:rgba(255,127,14,.1)}");
        sb.Append(r).Append(" ol.sl-ring,").Append(r).Append(" ol.sl-queue,").Append(r).Append(" ul.sl-legend,").Append(r)
          .Append(" ol.sl-cycle{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;align-items:center;gap:.25em}");
        sb.Append(r).Append(" ol.sl-ring>li+li::before,").Append(r).Append(" ol.sl-queue>li+li::before,").Append(r)
          .Append(" ol.sl-cycle>li+li::before{content:'\\2192';margin-right:.3em;opacity:.7}");
        sb.Append(r).Append(" .sl-chip{display:inline-block;border:1px solid rgba(127,127,127,.6);border-radius:10px;padding:0 .55em;white-space:nowrap}");
        sb.Append(r).Append(" .sl-chan{font-weight:600;border-style:dashed}");
        sb.Append(r).Append(" .sl-waitrow{display:flex;flex-wrap:wrap;align-items:center;gap:.4em;margin:.2em 0}");
        sb.Append(r).Append(" table{border-collapse:collapse;margin:.2em 0}");
        // Doubled class: Jupyter's own ".rendered_html td {text-align:right}" has the same weight as ".sl-view td".
        sb.Append(r).Append(r).Append(" th,").Append(r).Append(r).Append(" td{border-bottom:1px solid rgba(127,127,127,.3);padding:.15em .65em;text-align:left;vertical-align:top}");
        sb.Append(r).Append(" th{font-weight:600}");
        sb.Append(r).Append(" code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.95em}");
        sb.Append(r).Append(" ul.sl-legend{font-size:.85em;gap:.8em;margin:.3em 0}");
        sb.Append(r).Append(" .sl-swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.3em;vertical-align:-.1em;border:1px solid rgba(127,127,127,.6)}");
        sb.Append(r).Append(" svg text{fill:currentColor}");
        sb.Append(r).Append(" svg .handoff line,").Append(r).Append(" svg .handoff path{stroke:currentColor}");
        sb.Append(r).Append(" svg .handoff path{fill:currentColor}");
        foreach (var s in StatePalette.States)
        {
            var key = StatePalette.Key(s);
            sb.Append(r).Append(" .sl-s-").Append(key).Append("{background:").Append(StatePalette.Rgba(s, Math.Max(0.12, StatePalette.Opacity(s) * 0.55)))
              .Append(";border-color:").Append(StatePalette.Color(s)).Append('}');
        }
        sb.Append(r).Append(" .sl-s-not-created{background:transparent;border-style:dotted}");
        return sb.Append("</style>").ToString();
    }
}
