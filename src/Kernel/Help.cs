using System.Net;
using System.Text;

namespace StacklessInteractive.Kernel;

/// <summary>
/// The magic commands, their options and one example each: one list that the directives' descriptions, the
/// <c>#!stackless</c> help and the help shown on load are all made from, so they cannot disagree.
/// </summary>
internal static class Help
{
    internal sealed record Option(string Name, string Description);

    internal sealed record Command(string Name, string Summary, string Example, params Option[] Options);

    public static readonly Command Tasklet = new("#!tasklet",
        "The rest of the cell is the C# body of a new tasklet (it can await channels and Stackless.Schedule()); it is scheduled, not run.",
        "#!tasklet --name producer\nawait ch.Send(42);",
        new Option("--name NAME", "the tasklet's name in every view"));

    public static readonly Command Run = new("#!run",
        "Runs the scheduler (all steps, or N) and shows what the tasklets printed, the timeline of those steps, the state after them, and a deadlock panel when the run ends in one. Interrupting the cell stops the run between two steps.",
        "#!run --steps 10",
        new Option("--steps N", "run at most N steps (N >= 0); without it, run until no tasklet is runnable"));

    public static readonly Command Step = new("#!step",
        "Runs one step (one tasklet, until it next switches) and shows it, like #!run --steps 1.",
        "#!step");

    public static readonly Command Tasklets = new("#!tasklets",
        "Shows the scheduler (current, the run queue in order, blocked tasklets under their channel, paused ones) and the tasklet table.",
        "#!tasklets --name producer",
        new Option("--name NAME", "show only the tasklets with this name"));

    public static readonly Command Channels = new("#!channels",
        "Shows every channel made since the extension was loaded: balance, preference, closing/closed and the wait queue.",
        "#!channels --name ch",
        new Option("--name NAME", "show only the channels with this name"));

    public static readonly Command Timeline = new("#!timeline",
        "Shows the tick timeline of the whole trace: one lane per tasklet, one column per step, an arrow per hand-off.",
        "#!timeline --plot",
        new Option("--plot", "draw it as Plotly charts as well: a Gantt-like timeline and the steps of each tasklet"),
        new Option("--tasklet NAME", "only the events of this tasklet"),
        new Option("--last N", "only the last N steps"),
        new Option("--save FILE.json", "also write the whole kept trace to FILE.json in the Chrome trace-event format (open it in ui.perfetto.dev or chrome://tracing)"));

    public static readonly Command Reset = new("#!stackless-reset",
        "Starts again: a fresh scheduler (ids from 0) and an empty trace. Channels made before stay with the old scheduler.",
        "#!stackless-reset");

    public static readonly Command List = new("#!stackless",
        "Lists these commands with their options.",
        "#!stackless");

    public static IReadOnlyList<Command> All { get; } = [Tasklet, Run, Step, Tasklets, Channels, Timeline, Reset, List];

    /// <summary>The full list: every command, its options and an example.</summary>
    public static string CommandsHtml()
    {
        var html = new StringBuilder("<div class=\"sl-help\"><table><thead><tr><th>command</th><th>what it does</th><th>options</th><th>example</th></tr></thead><tbody>");
        foreach (var c in All)
        {
            html.Append("<tr><td><code>").Append(E(c.Name)).Append("</code></td><td>").Append(E(c.Summary)).Append("</td><td>");
            foreach (var o in c.Options) html.Append("<div><code>").Append(E(o.Name)).Append("</code>: ").Append(E(o.Description)).Append("</div>");
            html.Append("</td><td><pre>").Append(E(c.Example)).Append("</pre></td></tr>");
        }
        return html.Append("</tbody></table></div>").ToString();
    }

    /// <summary>The short help shown when the extension loads.</summary>
    public static string LoadedHtml() =>
        "<div class=\"sl-help\"><p><b>StacklessInteractive</b> is loaded: tasklets, channels and a round-robin scheduler you drive from cells.</p>"
        + "<p>Commands: " + string.Join(", ", All.Select(c => "<code>" + E(c.Name) + "</code>")) + " (<code>#!stackless</code> explains each).</p>"
        + "<p>Example: a cell <pre>var ch = new Channel&lt;int&gt;(name: \"ch\");</pre> a cell <pre>" + E(Tasklet.Example) + "</pre>"
        + " a cell <pre>#!tasklet --name consumer\nConsole.WriteLine(await ch.Receive());</pre> then <code>#!run</code>.</p></div>";

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
