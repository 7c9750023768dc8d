namespace StacklessInteractive;

/// <summary>One run of a program under one schedule: the schedule, what it printed, the bug if any, and its trace when recorded.</summary>
/// <param name="Schedule">The choices the run made (replaying them gives this run again).</param>
/// <param name="Seeded">The seed form of the same run for random and PCT runs (<c>seed=42</c>), else null.</param>
/// <param name="Output">What the tasklets printed.</param>
/// <param name="Bug">The bug, or null when the run was correct.</param>
/// <param name="Steps">How many steps it ran.</param>
/// <param name="Trace">Its tick trace, when the run was recorded (<see cref="Explorer.Replay(Func{Scheduler, Func{bool}?}, Schedule, long)"/>), else empty.</param>
public sealed record ScheduleRun(Schedule Schedule, Schedule? Seeded, string Output, Bug? Bug, long Steps, IReadOnlyList<TraceEvent> Trace)
{
    /// <summary>True when the run found a bug.</summary>
    public bool Failed => Bug is not null;

    /// <summary>The outcome as a line of a table: the output, and the bug's kind and message when there is one.</summary>
    public string Outcome => Explorer.OutcomeOf(Output, Bug);
}
