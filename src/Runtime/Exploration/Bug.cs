namespace StacklessInteractive;

/// <summary>A bug found in one run: what kind, an English account, the tasklet it happened in and at which step.</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Message">What went wrong, in words (the exception's message, the deadlock report, ...).</param>
/// <param name="Tasklet">The name of the tasklet whose step failed, or null (a deadlock, an invariant between steps).</param>
/// <param name="Step">The step at which it was seen.</param>
/// <param name="Exception">The exception, when one escaped.</param>
/// <param name="Deadlock">The deadlock report, for <see cref="BugKind.Deadlock"/>: every blocked tasklet and its channel.</param>
public sealed record Bug(BugKind Kind, string Message, string? Tasklet, long Step, Exception? Exception = null, DeadlockReport? Deadlock = null)
{
    /// <summary>"deadlock", "assertion failed", ... for tables.</summary>
    public string KindName => Kind switch
    {
        BugKind.Exception => "exception",
        BugKind.Deadlock => "deadlock",
        BugKind.AssertionFailed => "assertion failed",
        BugKind.InvariantViolated => "invariant violated",
        BugKind.Livelock => "livelock",
        _ => "foreign await",
    };

    /// <inheritdoc/>
    public override string ToString() => $"{KindName}{(Tasklet is null ? "" : " in " + Tasklet)} at step {Step}: {Message}";
}
