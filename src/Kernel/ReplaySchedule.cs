using Microsoft.DotNet.Interactive.Commands;

namespace StacklessInteractive.Kernel;

/// <summary><c>#!replay SCHEDULE</c>.</summary>
public sealed class ReplaySchedule : KernelDirectiveCommand
{
    /// <summary>The schedule: choices such as 0.0.2.2, seed=42, or pct:seed=S,depth=D,steps=K.</summary>
    public string? Schedule { get; set; }
}
