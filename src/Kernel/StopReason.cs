namespace StacklessInteractive.Kernel;

/// <summary>Why a tick check stopped a tasklet.</summary>
internal enum StopReason { Steps, Timeout, Interrupt }
