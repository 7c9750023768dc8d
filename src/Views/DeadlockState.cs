namespace StacklessInteractive.Views;

/// <summary>What a <see cref="DeadlockDiagnosis"/> found.</summary>
public enum DeadlockState
{
    /// <summary>No tasklet is blocked.</summary>
    NoneBlocked,

    /// <summary>Some are blocked, but tasklets are runnable or wait on I/O: the program goes on.</summary>
    Running,

    /// <summary>Nothing runs, but every blocked tasklet may still be served (by main, a paused tasklet, or a chain ending there).</summary>
    Waiting,

    /// <summary>Nothing runs and some blocked tasklets will never be served: a cycle, or channels only blocked tasklets use.</summary>
    Deadlocked,
}
