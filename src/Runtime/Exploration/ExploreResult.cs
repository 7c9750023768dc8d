namespace StacklessInteractive;

/// <summary>What an exploration found.</summary>
/// <param name="Options">The options it ran with.</param>
/// <param name="Schedules">How many schedules ran to their end.</param>
/// <param name="Pruned">DFS: runs cut short by the partial-order reduction (they could only repeat a schedule already run).</param>
/// <param name="Exhausted">DFS: every schedule was run (within the step bound); false when the bound stopped it.</param>
/// <param name="Outcomes">The distinct outcomes, most frequent first.</param>
/// <param name="FirstFailure">The first failing run, or null.</param>
/// <param name="Shrunk">The first failing run after shrinking (replayed with its trace), or null.</param>
/// <param name="Failures">How many schedules failed.</param>
public sealed record ExploreResult(ExploreOptions Options, int Schedules, int Pruned, bool Exhausted,
    IReadOnlyList<ExploreOutcome> Outcomes, ScheduleRun? FirstFailure, ScheduleRun? Shrunk, int Failures)
{
    /// <summary>True when some schedule failed.</summary>
    public bool FoundBug => FirstFailure is not null;
}
