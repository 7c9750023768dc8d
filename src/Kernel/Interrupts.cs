using System.Runtime.InteropServices;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;

namespace StacklessInteractive.Kernel;

/// <summary>
/// Makes interrupting a cell stop a run instead of killing the kernel or being ignored. The hosts do not deliver
/// cancellation to a cell that computes (see HOSTS.md): Jupyter's signal mode sends SIGINT, whose default action ends
/// the process with all its state; so the extension handles SIGINT itself while its code runs (a #!run or #!step, or
/// main code driving the scheduler), cancels the process's termination, and tells the tick checks
/// (<see cref="Ticks.Interrupt"/>), which preempt the running tasklet. A SIGINT while none of the extension's code
/// runs keeps its default action. Every new cell starts with the interrupt cleared.
/// </summary>
internal static class Interrupts
{
    private static PosixSignalRegistration? s_sigint;

    public static void Install(CompositeKernel root, NotebookSession session)
    {
        if (!OperatingSystem.IsWindows())
            s_sigint ??= PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                if (!ExtensionCodeRuns(session)) return; // the default: the process ends, as without the extension
                context.Cancel = true;
                Ticks.Interrupt();
            });

        root.AddMiddleware(async (command, context, next) =>
        {
            if (command is SubmitCode && context.Command == command) Ticks.ClearInterrupt(); // a new cell, not a part of one
            await next(command, context);
        }, "StacklessInteractive: a new cell clears the interrupt");
    }

    /// <summary>A run of the extension's, or main code inside a scheduler operation (the loop steps a tasklet).</summary>
    private static bool ExtensionCodeRuns(NotebookSession session) => session.Running || !session.Scheduler.Current.IsMain;
}
