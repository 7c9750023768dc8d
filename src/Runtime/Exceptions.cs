namespace StacklessInteractive;

/// <summary>
/// Raised inside a tasklet by <see cref="Tasklet.Kill"/> so that its <c>finally</c> blocks run. A tasklet that
/// ends with it ends quietly: it does not reach the main tasklet. Stackless's <c>TaskletExit</c>.
/// </summary>
public class TaskletExit : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskletExit() : base("The tasklet was killed.") { }
    /// <summary>Creates the exception with a message.</summary>
    public TaskletExit(string message) : base(message) { }
}

/// <summary>
/// Sent through a channel (<see cref="Channel{T}.SendException(Exception)"/>) it ends the receiver's
/// <c>await foreach</c> over the channel, as Python's <c>StopIteration</c> ends a loop over a Stackless channel.
/// </summary>
public class StopIteration : Exception
{
    /// <summary>Creates the exception.</summary>
    public StopIteration() : base("The channel's iteration was stopped.") { }
}

/// <summary>
/// A tasklet would block and nothing could ever wake it: Stackless's <c>RuntimeError</c> with
/// "Deadlock: the last runnable tasklet cannot be blocked." or "the main tasklet is receiving without a
/// sender available.".
/// </summary>
public class DeadlockException : InvalidOperationException
{
    /// <summary>Creates the exception with Stackless's message.</summary>
    public DeadlockException(string message) : base(message) { }
}

/// <summary>
/// A send or receive would block on a closed (or closing) channel: Stackless's <c>ValueError</c>
/// "Send/receive operation on a closed channel".
/// </summary>
public class ChannelClosedException : InvalidOperationException
{
    /// <summary>Creates the exception with Stackless's message.</summary>
    public ChannelClosedException() : base("Send/receive operation on a closed channel") { }
}

/// <summary>
/// A tasklet started more nested <c>async TaskletBody</c> frames than <see cref="Scheduler.MaxRecursionDepth"/>:
/// raised in that tasklet at the call that would pass the limit, so the tasklet can catch it; the scheduler and the
/// other tasklets carry on. Python's <c>RecursionError</c>, which Stackless raises the same way.
/// </summary>
public class RecursionException : InvalidOperationException
{
    /// <summary>Creates the exception with a message.</summary>
    public RecursionException(string message) : base(message) { }
}

/// <summary>
/// A channel or tasklet of a scheduler that <see cref="Scheduler.ResetDefault"/> replaced was used: its tasklets
/// were killed and nothing of it runs again.
/// </summary>
public class SchedulerReplacedException : InvalidOperationException
{
    /// <summary>Creates the exception: "channel 'a' belongs to a scheduler that #!stackless-reset replaced; create it again".</summary>
    public SchedulerReplacedException(string kind, string name, string replacedBy)
        : base($"{kind} '{name}' belongs to a scheduler that {replacedBy} replaced; create it again") { }
}
