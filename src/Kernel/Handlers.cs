using System.Net;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using StacklessInteractive.Views;

namespace StacklessInteractive.Kernel;

/// <summary>
/// What each magic command does: check the options (a clear error names the option and what it takes), act on the
/// session, and display views. All HTML comes from <see cref="StacklessInteractive.Views"/>.
/// </summary>
internal sealed class Handlers(NotebookSession session)
{
    /// <summary>How many channel views a #!run shows (a sieve has a channel per prime).</summary>
    private const int MaxChannelsShown = 12;

    public void Run(DirectiveOptions options, KernelCommand command, KernelInvocationContext context)
    {
        var steps = options.Number("--steps");
        var timeout = options.Seconds("--timeout") is { } seconds ? TimeSpan.FromSeconds(seconds) : NotebookSession.DefaultTimeout;
        ShowRun(command, context, session.Run(steps, timeout, context.CancellationToken), steps);
    }

    public void Step(DirectiveOptions options, KernelCommand command, KernelInvocationContext context) =>
        ShowRun(command, context, session.Run(1, NotebookSession.DefaultTimeout, context.CancellationToken), 1);

    public void Tasklets(DirectiveOptions options, KernelCommand command, KernelInvocationContext context)
    {
        var scheduler = session.Scheduler;
        if (options.Text("--name") is { } name)
        {
            var named = scheduler.Tasklets.Where(t => t.Name == name).ToList();
            if (named.Count == 0)
            {
                context.Fail(command, message: $"#!tasklets: no alive tasklet is named '{name}'. Alive: {NameList(scheduler.Tasklets.Select(t => t.Name))}.");
                return;
            }
            context.DisplayAs(TaskletTable.Render(named), HtmlFormatter.MimeType);
            return;
        }
        context.DisplayAs(session.StateHtml(scheduler) + TaskletTable.Render(AllTasklets(scheduler)), HtmlFormatter.MimeType);
    }

    public void Channels(DirectiveOptions options, KernelCommand command, KernelInvocationContext context)
    {
        var channels = session.Scheduler.Channels;
        if (options.Text("--name") is { } name)
        {
            var named = channels.Where(c => c.Name == name).ToList();
            if (named.Count == 0)
            {
                context.Fail(command, message: $"#!channels: no channel is named '{name}'. Channels: {NameList(channels.Select(c => c.Name))}.");
                return;
            }
            channels = named;
        }
        context.DisplayAs(ChannelView.RenderAll(channels, session.Trace.Events,
            "No channels yet: every channel made since the extension was loaded or reset is listed here (tracking is on)."), HtmlFormatter.MimeType);
    }

    public void Timeline(DirectiveOptions options, KernelCommand command, KernelInvocationContext context)
    {
        IReadOnlyList<TraceEvent> events = session.Trace.Events;
        // --last N: the last N steps of the program, whoever ran them (the steps that main's events between runs carry are kept with them).
        if (options.Number("--last") is { } last)
        {
            var from = session.Scheduler.Steps - last;
            events = events.Where(e => e.Step > from).ToList();
        }
        Func<Tasklet, bool>? pinned = null;
        if (options.Text("--tasklet") is { } pattern)
        {
            var matches = NamePattern(pattern);
            var known = session.Trace.Events.Select(e => e.Tasklet.Name).Concat(session.Scheduler.Tasklets.Select(t => t.Name)).Distinct().ToList();
            if (!known.Any(matches))
            {
                context.Fail(command, message: $"#!timeline --tasklet: no tasklet named '{pattern}' is in the trace. Known: {NameList(known.Take(20))}{(known.Count > 20 ? $" and {known.Count - 20} more" : "")}.");
                return;
            }
            events = events.Where(e => matches(e.Tasklet.Name) || e.Partner is { } p && matches(p.Name)).ToList();
            pinned = t => matches(t.Name);
        }
        var timeline = new TimelineOptions
        {
            Pinned = pinned,
            MaxLanes = (int)Math.Min(options.Number("--lanes") ?? new TimelineOptions().MaxLanes, 10_000),
            EmptyHint = session.Trace.Total == 0
                ? "Nothing has run since the extension was loaded or reset (the trace is on): #!run or #!step, then #!timeline."
                : "No step of the trace matches: a smaller --last, or another --tasklet.",
        };
        string? saved = null;
        if (options.Text("--save") is { } file && !TrySave(command, context, file, out saved)) return;
        var html = Note(saved) + Note(session.Trace.Dropped > 0
            ? $"The trace keeps the last {session.Trace.Capacity:N0} events; {session.Trace.Dropped:N0} older ones were dropped."
            : null);
        var model = TimelineModel.Build(events);
        html += TimelineView.Render(model, timeline);
        if (options.Flag("--plot"))
        {
            html += Chart(Charts.Timeline(model, timeline));
            var tasklets = events.Where(e => e.Reason == TraceReason.Run).Select(e => e.Tasklet).Distinct().Count();
            html += tasklets > Charts.MaxBarsPerTasklet
                ? string.Concat(Charts.ScaleSummary(events).Select(Chart))
                : Chart(Charts.StepsPerTasklet(events));
        }
        context.DisplayAs(html, HtmlFormatter.MimeType);
    }

    /// <summary>Writes the whole kept trace to <paramref name="file"/> (relative to the notebook's folder); a path that cannot be written fails the cell.</summary>
    private bool TrySave(KernelCommand command, KernelInvocationContext context, string file, out string? saved)
    {
        saved = null;
        var path = Path.GetFullPath(file.Trim().Trim('"'));
        if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            context.Fail(command, message: $"#!timeline --save takes a file name ending in .json; got '{file}'.");
            return false;
        }
        try
        {
            var count = session.Trace.WriteChromeTrace(path);
            saved = $"Saved {count:N0} trace events to {path} (Chrome trace-event format: open it in https://ui.perfetto.dev or chrome://tracing).";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            context.Fail(command, message: $"#!timeline --save: could not write '{path}': {e.Message}");
            return false;
        }
    }

    /// <summary>A name, or a pattern where * stands for any text and ? for one character ("worker*").</summary>
    internal static Func<string, bool> NamePattern(string pattern)
    {
        if (pattern.IndexOfAny(['*', '?']) < 0) return name => name == pattern;
        var regex = new System.Text.RegularExpressions.Regex(
            "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        return regex.IsMatch;
    }

    /// <summary>The reset command's name, which the old scheduler's channels and tasklets name in their error.</summary>
    internal const string ResetCommand = "#!stackless-reset";

    public void Reset(DirectiveOptions options, KernelCommand command, KernelInvocationContext context)
    {
        // The old tasklets' finally blocks run now: show what they print, as a run does.
        var output = new StringWriter();
        var (stdout, stderr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(output);
        try { session.Reset(); }
        catch (InvalidOperationException e)
        {
            context.Fail(command, e, e.Message);
            return;
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            if (output.ToString() is { Length: > 0 } printed)
                context.Publish(new StandardOutputValueProduced(command, [new FormattedValue(PlainTextFormatter.MimeType, printed)]));
        }
        context.DisplayAs(Note("A fresh scheduler: no tasklets, an empty trace. The old scheduler's tasklets were killed; channels and tasklets made before this raise an error when used: make them again.")
            + SchedulerView.Render(session.Scheduler), HtmlFormatter.MimeType);
    }

    public void List(DirectiveOptions options, KernelCommand command, KernelInvocationContext context) =>
        context.DisplayAs(Help.CommandsHtml(), HtmlFormatter.MimeType);

    /// <summary>A run's output, its timeline, the state after it, and a deadlock panel; a tasklet's exception fails the cell.</summary>
    private void ShowRun(KernelCommand command, KernelInvocationContext context, RunOutcome outcome, long? requested)
    {
        if (outcome.Output.Length > 0)
            context.Publish(new StandardOutputValueProduced(command, [new FormattedValue(PlainTextFormatter.MimeType, outcome.Output)]));

        var scheduler = session.Scheduler;
        var report = scheduler.GetDeadlockReport();
        var panel = NotebookSession.NeedsDeadlockPanel(report);
        var state = scheduler.AliveCount == 0 ? "No tasklet is alive."
            : report.Runnable > 0 ? $"{report.Runnable} runnable: #!run or #!step goes on."
            : panel ? ""
            : $"Nothing runnable; {scheduler.AliveCount} alive.";
        var summary = outcome.Steps == 0 && requested is not 0 && !outcome.Interrupted
            ? "Nothing to run: no tasklet is runnable. " + state
            : $"Ran {StepsRan(outcome.Steps, scheduler.Steps)}. " + state;
        if (outcome.StopMessage is { } stopped) summary = stopped + " " + summary;

        // The channels this run touched or that still hold waiters, at most MaxChannelsShown of them.
        var touched = outcome.Events.Select(e => e.Channel).OfType<ChannelBase>().ToHashSet();
        var channels = scheduler.Channels.Where(c => c.Balance != 0 || touched.Contains(c)).ToList();
        var html = Note(summary.TrimEnd()) + (outcome.Events.Count > 0 ? TimelineView.Render(outcome.Events) : "") + SchedulerView.Render(scheduler, deadlockBanner: false)
            + ChannelView.RenderAll(channels.Take(MaxChannelsShown), session.Trace.Events)
            + Note(channels.Count > MaxChannelsShown ? $"{channels.Count - MaxChannelsShown} more channels: #!channels shows them all." : null);
        if (panel) html += session.DeadlockHtml(report);
        context.DisplayAs(html, HtmlFormatter.MimeType);

        if (outcome.Error is { } error)
        {
            var culprit = outcome.Events.LastOrDefault(e => e.Reason == TraceReason.Exception).Tasklet?.Name ?? "a tasklet";
            context.Fail(command, error,
                $"Tasklet {culprit} raised {error.GetType().Name}: {error.Message}\nThe run stopped there; the other tasklets are as they were (#!tasklets shows them).");
        }
    }

    /// <summary>"1 step (step 4)", "3 steps (steps 2–4)", "0 steps".</summary>
    internal static string StepsRan(long ran, long lastStep) => ran switch
    {
        0 => "0 steps",
        1 => $"1 step (step {lastStep})",
        _ => $"{ran} steps (steps {lastStep - ran + 1}\u2013{lastStep})",
    };

    private string Chart(Plotly.NET.GenericChart chart) => ChartHtml.Render(chart, session.NextChartId(), session.PlotlyJsUrl);

    private static IEnumerable<Tasklet> AllTasklets(Scheduler scheduler) => scheduler.Tasklets.OrderBy(t => t.Id);

    private static string NameList(IEnumerable<string> names)
    {
        var list = names.Distinct().ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    private static string Note(string? text) =>
        text is null ? "" : "<p class=\"sl-note\">" + WebUtility.HtmlEncode(text) + "</p>";
}
