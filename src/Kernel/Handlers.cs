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

    public Task RunAsync(RunTasklets command, KernelInvocationContext context)
    {
        if (command.Steps is < 0)
        {
            context.Fail(command, message: $"#!run --steps takes a number of steps, 0 or more; got {command.Steps}.");
            return Task.CompletedTask;
        }
        ShowRun(command, context, session.Run(command.Steps, context.CancellationToken), command.Steps);
        return Task.CompletedTask;
    }

    public Task StepAsync(StepTasklets command, KernelInvocationContext context)
    {
        ShowRun(command, context, session.Run(1, context.CancellationToken), 1);
        return Task.CompletedTask;
    }

    public Task TaskletsAsync(ShowTasklets command, KernelInvocationContext context)
    {
        var scheduler = session.Scheduler;
        if (command.Name is { } name)
        {
            var named = scheduler.Tasklets.Where(t => t.Name == name).ToList();
            if (named.Count == 0)
            {
                context.Fail(command, message: $"#!tasklets: no alive tasklet is named '{name}'. Alive: {NameList(scheduler.Tasklets.Select(t => t.Name))}.");
                return Task.CompletedTask;
            }
            context.DisplayAs(TaskletTable.Render(named), HtmlFormatter.MimeType);
            return Task.CompletedTask;
        }
        context.DisplayAs(SchedulerView.Render(scheduler) + TaskletTable.Render(AllTasklets(scheduler)), HtmlFormatter.MimeType);
        return Task.CompletedTask;
    }

    public Task ChannelsAsync(ShowChannels command, KernelInvocationContext context)
    {
        var channels = session.Scheduler.Channels;
        if (command.Name is { } name)
        {
            var named = channels.Where(c => c.Name == name).ToList();
            if (named.Count == 0)
            {
                context.Fail(command, message: $"#!channels: no channel is named '{name}'. Channels: {NameList(channels.Select(c => c.Name))}.");
                return Task.CompletedTask;
            }
            channels = named;
        }
        context.DisplayAs(ChannelView.RenderAll(channels, session.Trace.Events), HtmlFormatter.MimeType);
        return Task.CompletedTask;
    }

    public Task TimelineAsync(ShowTimeline command, KernelInvocationContext context)
    {
        if (command.Last is < 1)
        {
            context.Fail(command, message: $"#!timeline --last takes a number of steps, 1 or more; got {command.Last}.");
            return Task.CompletedTask;
        }
        IReadOnlyList<TraceEvent> events = session.Trace.Events;
        if (command.Tasklet is { } name)
        {
            var known = events.Select(e => e.Tasklet.Name).Concat(session.Scheduler.Tasklets.Select(t => t.Name)).Distinct().ToList();
            if (!known.Contains(name))
            {
                context.Fail(command, message: $"#!timeline --tasklet: no tasklet named '{name}' is in the trace. Known: {NameList(known)}.");
                return Task.CompletedTask;
            }
            events = events.Where(e => e.Tasklet.Name == name || e.Partner?.Name == name).ToList();
        }
        if (command.Last is { } last && events.Count > 0)
        {
            var from = events[^1].Step - last;
            events = events.Where(e => e.Step > from).ToList();
        }
        string? saved = null;
        if (command.Save is { } file && !TrySave(command, context, file, out saved)) return Task.CompletedTask;
        var html = Note(saved) + Note(session.Trace.Dropped > 0
            ? $"The trace keeps the last {session.Trace.Capacity:N0} events; {session.Trace.Dropped:N0} older ones were dropped."
            : null);
        html += TimelineView.Render(events);
        if (command.Plot) html += Chart(Charts.Timeline(events)) + Chart(Charts.StepsPerTasklet(events));
        context.DisplayAs(html, HtmlFormatter.MimeType);
        return Task.CompletedTask;
    }

    /// <summary>Writes the whole kept trace to <paramref name="file"/> (relative to the notebook's folder); a path that cannot be written fails the cell.</summary>
    private bool TrySave(ShowTimeline command, KernelInvocationContext context, string file, out string? saved)
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

    public Task ResetAsync(ResetStackless command, KernelInvocationContext context)
    {
        session.Reset();
        context.DisplayAs(Note("A fresh scheduler: no tasklets, an empty trace. Channels made before this belong to the old one: make them again.")
            + SchedulerView.Render(session.Scheduler), HtmlFormatter.MimeType);
        return Task.CompletedTask;
    }

    public Task ListAsync(ListStacklessCommands command, KernelInvocationContext context)
    {
        context.DisplayAs(Help.CommandsHtml(), HtmlFormatter.MimeType);
        return Task.CompletedTask;
    }

    /// <summary>A run's output, its timeline, the state after it, and a deadlock panel; a tasklet's exception fails the cell.</summary>
    private void ShowRun(KernelCommand command, KernelInvocationContext context, RunOutcome outcome, long? requested)
    {
        if (outcome.Output.Length > 0)
            context.Publish(new StandardOutputValueProduced(command, [new FormattedValue(PlainTextFormatter.MimeType, outcome.Output)]));

        var scheduler = session.Scheduler;
        var report = scheduler.GetDeadlockReport();
        var state = scheduler.AliveCount == 0 ? "No tasklet is alive."
            : report.Runnable > 0 ? $"{report.Runnable} runnable: #!run or #!step goes on."
            : report.IsDeadlock ? "Deadlock: every alive tasklet is blocked."
            : $"Nothing runnable; {scheduler.AliveCount} alive.";
        var summary = outcome.Steps == 0 && requested is not 0 && !outcome.Interrupted
            ? "Nothing to run: no tasklet is runnable. " + state
            : (outcome.Interrupted ? "Stopped: the cell was interrupted. " : "")
              + $"Ran {outcome.Steps} step{(outcome.Steps == 1 ? "" : "s")} (step {scheduler.Steps - outcome.Steps + 1}–{scheduler.Steps}). " + state;

        // The channels this run touched or that still hold waiters, at most MaxChannelsShown of them.
        var touched = outcome.Events.Select(e => e.Channel).OfType<ChannelBase>().ToHashSet();
        var channels = scheduler.Channels.Where(c => c.Balance != 0 || touched.Contains(c)).ToList();
        var html = Note(summary) + (outcome.Events.Count > 0 ? TimelineView.Render(outcome.Events) : "") + SchedulerView.Render(scheduler)
            + ChannelView.RenderAll(channels.Take(MaxChannelsShown), session.Trace.Events)
            + Note(channels.Count > MaxChannelsShown ? $"{channels.Count - MaxChannelsShown} more channels: #!channels shows them all." : null);
        if (report.IsDeadlock) html += DeadlockView.Render(report, session.ChannelsOf);
        context.DisplayAs(html, HtmlFormatter.MimeType);

        if (outcome.Error is { } error)
        {
            var culprit = outcome.Events.LastOrDefault(e => e.Reason == TraceReason.Exception).Tasklet?.Name ?? "a tasklet";
            context.Fail(command, error,
                $"Tasklet {culprit} raised {error.GetType().Name}: {error.Message}\nThe run stopped there; the other tasklets are as they were (#!tasklets shows them).");
        }
    }

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
