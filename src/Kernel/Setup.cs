using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Directives;

namespace StacklessInteractive.Kernel;

/// <summary>Wires the session to the notebook: the <c>#!tasklet</c> kernel, the magic commands, the formatters.</summary>
internal static class Setup
{
    public static void Register(CompositeKernel root, NotebookSession session)
    {
        if (root.FindKernelByName(TaskletKernel.KernelName) is null) root.Add(new TaskletKernel(session));
        var handlers = new Handlers(session);

        root.AddDirective<RunTasklets>(Directive(Help.Run, ("--steps", "number")), handlers.RunAsync);
        root.AddDirective<StepTasklets>(Directive(Help.Step), handlers.StepAsync);
        root.AddDirective<ShowTasklets>(Directive(Help.Tasklets, ("--name", null)), handlers.TaskletsAsync);
        root.AddDirective<ShowChannels>(Directive(Help.Channels, ("--name", null)), handlers.ChannelsAsync);
        root.AddDirective<ShowTimeline>(Directive(Help.Timeline, ("--plot", Flag), ("--tasklet", null), ("--last", "number"), ("--save", null)), handlers.TimelineAsync);
        root.AddDirective<ResetStackless>(Directive(Help.Reset), handlers.ResetAsync);
        root.AddDirective<ListStacklessCommands>(Directive(Help.List), handlers.ListAsync);

        Formatters.Register(session);

        // A cell holding only "#!tasklet ..." never reaches the tasklet kernel (the host sees no code to send);
        // say so instead of doing nothing.
        root.AddMiddleware(async (command, context, next) =>
        {
            if (command.TargetKernelName == TaskletKernel.KernelName && command is not SubmitCode
                && context.Command is SubmitCode { Code: var code } && IsBareTaskletDirective(code))
            {
                context.Fail(command, message: TaskletKernel.NoBodyMessage);
                return;
            }
            await next(command, context);
        }, "StacklessInteractive: #!tasklet without a body");
    }

    private static bool IsBareTaskletDirective(string code)
    {
        var lines = code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Count == 1 && (lines[0] == TaskletKernel.DirectiveName || lines[0].StartsWith(TaskletKernel.DirectiveName + " ", StringComparison.Ordinal));
    }

    private const string Flag = "flag";

    /// <summary>A directive described by its help entry; each option is (name, "number" | "flag" | null for text).</summary>
    private static KernelActionDirective Directive(Help.Command command, params (string Name, string? Kind)[] options)
    {
        var directive = new KernelActionDirective(command.Name) { Description = command.Summary };
        foreach (var (name, kind) in options)
        {
            var description = command.Options.Single(o => o.Name.Split(' ')[0] == name).Description;
            directive.Parameters.Add(kind == Flag
                ? new KernelDirectiveParameter(name, description) { Flag = true }
                : new KernelDirectiveParameter(name, description) { TypeHint = kind ?? "text" });
        }
        return directive;
    }
}
