namespace StacklessInteractive;

/// <summary>What went wrong in a run that the explorer counts as a bug.</summary>
public enum BugKind
{
    /// <summary>An exception escaped a tasklet.</summary>
    Exception,
    /// <summary>Tasklets are blocked on channels and none can run: the run ended in a deadlock.</summary>
    Deadlock,
    /// <summary>A <see cref="Stackless.Assert"/> failed.</summary>
    AssertionFailed,
    /// <summary>The program's invariant, checked after every step, was false.</summary>
    InvariantViolated,
    /// <summary>The run passed the step bound with tasklets still runnable: a livelock, or a loop that never ends.</summary>
    Livelock,
    /// <summary>A body awaited something outside the scheduler (a Task, a delay, I/O): the run no longer depends on the schedule alone.</summary>
    ForeignAwait,
}
