namespace StacklessInteractive.Views;

/// <summary>
/// What a tasklet is doing during one step of a trace, as the timeline and the charts colour it. Finer than
/// <see cref="TaskletState"/>: a blocked tasklet is blocked sending or receiving.
/// </summary>
/// <remarks>The order is the legend's order, and breaks ties when steps are summarised into buckets.</remarks>
public enum LaneState
{
    /// <summary>The tasklet ran this step.</summary>
    Running,
    /// <summary>In the run queue, waiting for its turn.</summary>
    Runnable,
    /// <summary>Blocked sending on a channel, waiting for a receiver.</summary>
    BlockedSend,
    /// <summary>Blocked receiving on a channel, waiting for a sender.</summary>
    BlockedReceive,
    /// <summary>Waiting for an asynchronous operation (<see cref="Scheduler.BlockOn(Task)"/>).</summary>
    WaitingIO,
    /// <summary>Alive but out of the run queue: removed, interrupted by the watchdog, or main while <c>Run()</c> drives.</summary>
    Paused,
    /// <summary>Ended, killed or failed.</summary>
    Dead,
    /// <summary>Not created yet.</summary>
    NotCreated,
}
