namespace StacklessInteractive.Kernel;

/// <summary>
/// Raised by a tick check that cannot preempt its tasklet (in a synchronous function or lambda) when the cell is
/// interrupted or the run's time budget is spent. It ends the tasklet unless the body catches it.
/// </summary>
public sealed class TaskletInterruptedException(string message) : OperationCanceledException(message);
