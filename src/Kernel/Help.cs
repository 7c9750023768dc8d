using System.Net;
using System.Text;

namespace StacklessInteractive.Kernel;

/// <summary>
/// The magic commands, their options and one example each: one list that the directives' descriptions, the
/// <c>#!stackless</c> help and the help shown on load are all made from, so they cannot disagree.
/// </summary>
internal static class Help
{
    /// <summary>
    /// One option: <paramref name="Name"/> as written in help ("--steps N"), what it does, what kind of value it
    /// takes and, for the error messages, that value in words ("a whole number of steps, 0 or more").
    /// </summary>
    internal sealed record Option(string Name, string Description, OptionKind Kind, string Takes = "", long Min = 0)
    {
        /// <summary>The option as typed: "--steps".</summary>
        public string Key => Name.Split(' ')[0];

        public static Option Flag(string name, string description) => new(name, description, OptionKind.Flag);

        public static Option Text(string name, string description, string takes = "a name") => new(name, description, OptionKind.Text, takes);

        public static Option Count(string name, string description, string unit, long min) =>
            new(name, description, OptionKind.Count, $"a whole number of {unit}, {min} or more", min);

        public static Option Seconds(string name, string description) =>
            new(name, description, OptionKind.Seconds, "a number of seconds, 0 or more (0: no limit)");
    }

    internal sealed record Command(string Name, string Summary, string Example, params IReadOnlyList<Option> Options);

    public static readonly Command Tasklet = new("#!tasklet",
        "The rest of the cell is the C# body of a new tasklet (it can await channels and Stackless.Schedule()); it is scheduled, not run.",
        "#!tasklet --name producer\nawait ch.Send(42);",
        Option.Text("--name NAME", "the tasklet's name in every view"));

    public static readonly Command Run = new("#!run",
        "Runs the scheduler (all steps, or N) and shows what the tasklets printed, the timeline of those steps, the state after them, and a deadlock panel when the run ends in one. It stops after its time budget (10 s unless --timeout says otherwise) or when the cell is interrupted, even inside a #!tasklet body that never switches: that tasklet is paused and the next #!run continues it.",
        "#!run --steps 10",
        Option.Count("--steps N", "run at most N steps (N >= 0); without it, run until no tasklet is runnable; a step that never switches is paused after about a million loop iterations", "steps", min: 0),
        Option.Seconds("--timeout SECONDS", "the run's time budget: stop a run that takes longer than this, even inside a #!tasklet body that never yields (default 10; 0: no limit)"));

    public static readonly Command Step = new("#!step",
        "Runs one step (one tasklet, until it next switches) and shows it, like #!run --steps 1 (a body that never switches is paused after about a million loop iterations). It takes no argument: for N steps, #!run --steps N.",
        "#!step");

    public static readonly Command Tasklets = new("#!tasklets",
        "Shows the scheduler (current, the run queue in order, blocked tasklets under their channel, paused ones) and the tasklet table.",
        "#!tasklets --name producer",
        Option.Text("--name NAME", "show only the tasklets with this name"));

    public static readonly Command Channels = new("#!channels",
        "Shows every channel made since the extension was loaded: balance, preference, closing/closed and the wait queue.",
        "#!channels --name ch",
        Option.Text("--name NAME", "show only the channels with this name"));

    public static readonly Command Timeline = new("#!timeline",
        "Shows the tick timeline of the whole trace: one lane per tasklet, one column per step, an arrow per hand-off.",
        "#!timeline --plot",
        Option.Flag("--plot", "draw it as Plotly charts as well: a Gantt-like timeline and the steps of each tasklet (a summary at scale)"),
        Option.Text("--tasklet NAME", "the lanes of the tasklets with this name, always drawn; * matches any text (worker*)", "a tasklet's name or a pattern such as worker*"),
        Option.Count("--last N", "only the last N steps, with every lane that ran in them", "steps", min: 1),
        Option.Count("--lanes N", "draw at most N lanes (default 100)", "lanes", min: 1),
        Option.Text("--save FILE.json", "also write the whole kept trace to FILE.json in the Chrome trace-event format (open it in ui.perfetto.dev or chrome://tracing)", "a file name ending in .json"));

    public static readonly Command Reset = new("#!stackless-reset",
        "Starts again: the old scheduler's tasklets are killed (their finally blocks run), then a fresh scheduler (ids from 0) and an empty trace. Channels and tasklets made before raise an error when used: make them again.",
        "#!stackless-reset");

    public static readonly Command List = new("#!stackless",
        "Lists these commands with their options (#!X --help shows one).",
        "#!stackless");

    public static IReadOnlyList<Command> All { get; } = [Tasklet, Run, Step, Tasklets, Channels, Timeline, ExploreHelp.Explore, ExploreHelp.Replay, Reset, List];

    /// <summary>The full list: every command, its options and an example.</summary>
    public static string CommandsHtml() => Table(All);

    /// <summary>The help of one command (<c>#!X --help</c>).</summary>
    public static string CommandHtml(Command command) => Table([command]);

    private static string Table(IEnumerable<Command> commands)
    {
        var html = new StringBuilder("<div class=\"sl-help\"><table><thead><tr><th>command</th><th>what it does</th><th>options</th><th>example</th></tr></thead><tbody>");
        foreach (var c in commands)
        {
            html.Append("<tr><td><code>").Append(E(c.Name)).Append("</code></td><td>").Append(E(c.Summary)).Append("</td><td>");
            foreach (var o in c.Options) html.Append("<div><code>").Append(E(o.Name)).Append("</code>: ").Append(E(o.Description)).Append("</div>");
            html.Append("<div><code>").Append(DirectiveOptions.HelpOption).Append("</code>: this help</div>");
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
