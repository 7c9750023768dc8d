namespace StacklessInteractive;

/// <summary>One distinct outcome of an exploration: its output (and bug), how many schedules gave it, and the first that did.</summary>
/// <param name="Output">What the tasklets printed.</param>
/// <param name="Bug">The bug of the first run with this outcome, or null.</param>
/// <param name="Count">How many schedules ended this way.</param>
/// <param name="Example">The first schedule that did.</param>
public sealed record ExploreOutcome(string Output, Bug? Bug, int Count, Schedule Example);
