using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;

namespace StacklessInteractive.Kernel;

/// <summary>
/// Makes interrupting a cell stop a run (<see cref="Ticks.Interrupt"/>) instead of killing the kernel or being
/// ignored. The hosts do not deliver an interrupt to a cell that computes (HOSTS.md), so the extension listens for
/// one itself, in each form a host receives it:
/// <list type="bullet">
/// <item>Jupyter's signal mode sends SIGINT, on which the host's web server (its console lifetime) shuts the kernel
/// down, losing every variable. While the extension's code runs (a <c>#!run</c> or <c>#!step</c>, or main code
/// inside a scheduler operation) the extension takes SIGINT: it interrupts the run, and the process and the host's
/// other SIGINT handlers are left alone. Otherwise SIGINT does what it did without the extension.</item>
/// <item>Jupyter's message mode sends <c>interrupt_request</c> on the control channel, whose loop in the host only
/// logs it (it answers shutdown requests alone). The extension listens to that log (the host's Pocket logger, a
/// static event) and interrupts on it.</item>
/// <item>A host's <c>Cancel</c> command (VS Code's stop button, dotnet-repl) cancels the cell's token, which each run
/// observes (<see cref="Handlers"/>).</item>
/// </list>
/// Both listeners reach into the host by reflection (types of .NET 10 and dotnet-interactive 1.0.712001); when a
/// later version has moved them, that form of interrupt does what it did before, and the time budget still holds.
/// Every new cell starts with the interrupt cleared.
/// </summary>
internal static class Interrupts
{
    private static PosixSignalRegistration? s_sigint;
    private static Func<bool>? s_ours;
    private static bool s_listening;

    public static void Install(CompositeKernel root, NotebookSession session)
    {
        s_ours = () => session.Running || !session.Scheduler.Current.IsMain;
        if (!OperatingSystem.IsWindows())
        {
            s_sigint ??= PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSigint);
            GuardOtherSigintHandlers();
        }
        ListenForInterruptRequests();

        root.AddMiddleware(async (command, context, next) =>
        {
            if (command is SubmitCode && context.Command == command)
            {
                Ticks.ClearInterrupt(); // a new cell, not a part of one
                if (!OperatingSystem.IsWindows()) GuardOtherSigintHandlers(); // handlers registered since
            }
            await next(command, context);
        }, "StacklessInteractive: a new cell clears the interrupt");
    }

    private static bool OursRuns() => s_ours?.Invoke() == true;

    private static void OnSigint(PosixSignalContext context)
    {
        if (!OursRuns()) return; // the default (or the host's handlers): as without the extension
        context.Cancel = true;
        Ticks.Interrupt();
    }

    // ---- SIGINT -------------------------------------------------------------------------------------

    private static readonly HashSet<Delegate> s_guarded = [];

    /// <summary>
    /// Wraps every other SIGINT handler of the process so that it is skipped while the extension's code runs: the
    /// runtime calls all of them, and the host's would stop the kernel. The runtime keeps them in
    /// <c>PosixSignalRegistration.s_registrations</c> (signal number to a list of tokens, each with its handler).
    /// </summary>
    private static void GuardOtherSigintHandlers()
    {
        try
        {
            var registrations = typeof(PosixSignalRegistration).GetField("s_registrations", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as IDictionary;
            if (registrations is null) return;
            lock (registrations) // as the runtime does
            {
                foreach (var tokens in registrations.Values.OfType<IEnumerable>())
                    foreach (var token in tokens)
                    {
                        var type = token.GetType();
                        if (type.GetProperty("Signal")?.GetValue(token) is not PosixSignal.SIGINT) continue;
                        var field = type.GetField("<Handler>k__BackingField", BindingFlags.NonPublic | BindingFlags.Instance);
                        if (field?.GetValue(token) is not Action<PosixSignalContext> handler || handler == OnSigint || s_guarded.Contains(handler)) continue;
                        Action<PosixSignalContext> guarded = context => { if (!OursRuns()) handler(context); };
                        s_guarded.Add(guarded);
                        field.SetValue(token, guarded);
                    }
            }
        }
        catch (Exception e) when (e is MemberAccessException or ArgumentException or InvalidCastException)
        {
            // the runtime changed: SIGINT keeps its old effect
        }
    }

    // ---- interrupt_request ----------------------------------------------------------------------------

    /// <summary>
    /// Subscribes to the Jupyter host's log, where its control loop records each request it receives. An entry is a
    /// tuple: (template, args, properties, level, time, exception, operation id, category, operation).
    /// </summary>
    private static void ListenForInterruptRequests()
    {
        if (s_listening) return;
        var jupyter = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "Microsoft.DotNet.Interactive.Jupyter");
        var posted = jupyter?.GetType("Pocket.Logger")?.GetEvent("Posted", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static);
        Action<(string Template, object[] Args, List<(string, object)> Properties, byte Level, DateTime Time, Exception Exception, string OperationId, string Category, (string, bool, bool, bool?, TimeSpan?) Operation)> onPosted = entry =>
        {
            if (entry.Template is { } template && template.StartsWith("Received", StringComparison.Ordinal)
                && entry.Args is [string message, ..] && message.Contains("\"interrupt_request\"", StringComparison.Ordinal))
                Ticks.Interrupt();
        };
        if (posted?.EventHandlerType != onPosted.GetType()) return; // not Jupyter, or another version: nothing to hear
        posted.GetAddMethod(nonPublic: true)!.Invoke(null, [onPosted]);
        s_listening = true;
    }
}
