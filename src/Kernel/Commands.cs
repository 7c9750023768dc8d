using Microsoft.DotNet.Interactive.Commands;

namespace StacklessInteractive.Kernel;

// The command types the host creates for the magic commands. Their options are not bound to properties: the host
// would reject a bad value with its own JSON error before we could say what the option takes, so every option is
// declared as text and parsed by DirectiveOptions from the directive's line. Public because the host creates them
// by deserialisation.

/// <summary><c>#!run</c>.</summary>
public sealed class RunTasklets : KernelDirectiveCommand;

/// <summary><c>#!step</c>.</summary>
public sealed class StepTasklets : KernelDirectiveCommand;

/// <summary><c>#!tasklets</c>.</summary>
public sealed class ShowTasklets : KernelDirectiveCommand;

/// <summary><c>#!channels</c>.</summary>
public sealed class ShowChannels : KernelDirectiveCommand;

/// <summary><c>#!timeline</c>.</summary>
public sealed class ShowTimeline : KernelDirectiveCommand;

/// <summary><c>#!stackless-reset</c>.</summary>
public sealed class ResetStackless : KernelDirectiveCommand;

/// <summary><c>#!stackless</c>.</summary>
public sealed class ListStacklessCommands : KernelDirectiveCommand;
