using Microsoft.DotNet.Interactive.Commands;

namespace StacklessInteractive.Kernel;

// The commands the host binds the magic commands' options to (kebab-case option, PascalCase property).
// Public because the host creates them by deserialisation.

/// <summary><c>#!run [--steps N]</c>.</summary>
public sealed class RunTasklets : KernelDirectiveCommand
{
    /// <summary>At most this many steps; all when null.</summary>
    public long? Steps { get; set; }
}

/// <summary><c>#!step</c>.</summary>
public sealed class StepTasklets : KernelDirectiveCommand;

/// <summary><c>#!tasklets [--name NAME]</c>.</summary>
public sealed class ShowTasklets : KernelDirectiveCommand
{
    /// <summary>Only the tasklets with this name.</summary>
    public string? Name { get; set; }
}

/// <summary><c>#!channels [--name NAME]</c>.</summary>
public sealed class ShowChannels : KernelDirectiveCommand
{
    /// <summary>Only the channels with this name.</summary>
    public string? Name { get; set; }
}

/// <summary><c>#!timeline [--plot] [--tasklet NAME] [--last N] [--save FILE.json]</c>.</summary>
public sealed class ShowTimeline : KernelDirectiveCommand
{
    /// <summary>Draw Plotly charts as well.</summary>
    public bool Plot { get; set; }

    /// <summary>Only the events of the tasklets with this name.</summary>
    public string? Tasklet { get; set; }

    /// <summary>Only the last N steps.</summary>
    public long? Last { get; set; }

    /// <summary>Also write the whole kept trace to this file, in the Chrome trace-event format.</summary>
    public string? Save { get; set; }
}

/// <summary><c>#!stackless-reset</c>.</summary>
public sealed class ResetStackless : KernelDirectiveCommand;

/// <summary><c>#!stackless</c>.</summary>
public sealed class ListStacklessCommands : KernelDirectiveCommand;
