namespace StacklessInteractive.Kernel;

/// <summary>A preemption: the tasklet, the line of its #!tasklet body (from 1) where the check stood, and why.</summary>
internal sealed record Stop(Tasklet Tasklet, int Line, StopReason Reason);
