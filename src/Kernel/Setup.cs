using System.Reflection;
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

        Add<RunTasklets>(root, Help.Run, handlers.Run);
        Add<StepTasklets>(root, Help.Step, handlers.Step);
        Add<ShowTasklets>(root, Help.Tasklets, handlers.Tasklets);
        Add<ShowChannels>(root, Help.Channels, handlers.Channels);
        Add<ShowTimeline>(root, Help.Timeline, handlers.Timeline);
        Add<ResetStackless>(root, Help.Reset, handlers.Reset);
        Add<ListStacklessCommands>(root, Help.List, handlers.List);

        ExploreSetup.Register(root, session);
        Formatters.Register(session);
        Interrupts.Install(root, session);

        root.AddMiddleware(async (command, context, next) =>
        {
            if (command is SubmitCode { TargetKernelName: "csharp" } submit && MainCellWarnings.Rewrite(submit) is { } quiet)
            {
                await next(quiet, context);
                return;
            }
            if (context.Command is SubmitCode { Code: var code } && command is not SubmitCode)
            {
                // The host could not bind a line of ours (an unknown option, one given twice, a stray argument): it
                // would say "DNI103 Unrecognized parameter name"; say what the option is and what it takes instead.
                if (command.GetType().Name == "AnonymousKernelCommand" && FirstMistakeOrHelp(code) is var (mistake, help) && (mistake is not null || help is not null))
                {
                    if (mistake is not null) context.Fail(command, message: mistake);
                    else context.DisplayAs(Help.CommandHtml(help!), "text/html"); // -h, which the host does not know
                    return;
                }
                // A cell holding only "#!tasklet ..." never reaches the tasklet kernel (the host sees no code to send).
                if (command.TargetKernelName == TaskletKernel.KernelName && IsBareTaskletDirective(code))
                {
                    if (!DirectiveOptions.TryParse(Help.Tasklet, code.Trim(), out var options, out var error)) context.Fail(command, message: error);
                    else if (options.WantsHelp) context.DisplayAs(Help.CommandHtml(Help.Tasklet), "text/html");
                    else context.Fail(command, message: TaskletKernel.NoBodyMessage);
                    return;
                }
            }
            await next(command, context);
        }, "StacklessInteractive: own option parsing");
    }

    /// <summary>Registers a magic command whose options <see cref="DirectiveOptions"/> parses; <c>--help</c> shows its help.</summary>
    private static void Add<TCommand>(CompositeKernel root, Help.Command help, Action<DirectiveOptions, KernelCommand, KernelInvocationContext> handler)
        where TCommand : KernelDirectiveCommand
    {
        root.AddDirective<TCommand>(Directive(help), (command, context) =>
        {
            if (!DirectiveOptions.TryParse(help, LineOf(command, context, help.Name), out var options, out var error))
                context.Fail(command, message: error);
            else if (options.WantsHelp)
                context.DisplayAs(Help.CommandHtml(help), "text/html");
            else
                handler(options, command, context);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// The directive's line as the user typed it. The host keeps the parsed line on the command (an internal
    /// property whose text starts "DirectiveNode: "); without it, the cell's first line that starts with the directive.
    /// </summary>
    internal static string LineOf(KernelCommand command, KernelInvocationContext context, string directive)
    {
        var node = command is KernelDirectiveCommand ? s_directiveNode?.GetValue(command)?.ToString() : null;
        if (node is not null && node.IndexOf(directive, StringComparison.Ordinal) is var at and >= 0)
            return node[at..].Split('\n')[0].TrimEnd('\r');
        var code = (context.Command as SubmitCode)?.Code ?? "";
        return DirectiveLines(code).FirstOrDefault(l => l.Command.Name == directive).Line ?? directive;
    }

    private static readonly PropertyInfo? s_directiveNode =
        typeof(KernelDirectiveCommand).GetProperty("DirectiveNode", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);

    /// <summary>What is wrong with the first of our directive lines in <paramref name="code"/> that does not parse, or else the first that asks for help.</summary>
    private static (string? Mistake, Help.Command? Help) FirstMistakeOrHelp(string code)
    {
        Help.Command? help = null;
        foreach (var (command, line) in DirectiveLines(code))
        {
            if (!DirectiveOptions.TryParse(command, line, out var options, out var error)) return (error, null);
            if (options.WantsHelp) help ??= command;
        }
        return (null, help);
    }

    /// <summary>The lines of <paramref name="code"/> that start with one of our directives (and which).</summary>
    internal static IEnumerable<(Help.Command Command, string Line)> DirectiveLines(string code)
    {
        foreach (var raw in code.Split('\n'))
        {
            var line = raw.Trim();
            var name = line.Split((char[])[' ', '\t'], 2)[0];
            if (Help.All.FirstOrDefault(c => c.Name == name) is { } command) yield return (command, line);
        }
    }

    private static bool IsBareTaskletDirective(string code)
    {
        var lines = code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Count == 1 && (lines[0] == TaskletKernel.DirectiveName || lines[0].StartsWith(TaskletKernel.DirectiveName + " ", StringComparison.Ordinal));
    }

    /// <summary>
    /// A directive described by its help entry. Every option is declared as text (or a flag) and <c>--help</c> as a
    /// flag, so the host binds nothing by type and every mistake reaches <see cref="DirectiveOptions"/>.
    /// </summary>
    internal static KernelActionDirective Directive(Help.Command command)
    {
        var directive = new KernelActionDirective(command.Name) { Description = command.Summary };
        foreach (var parameter in Parameters(command)) directive.Parameters.Add(parameter);
        return directive;
    }

    /// <summary>The host's parameters for <paramref name="command"/>'s options, and <c>--help</c>.</summary>
    internal static IEnumerable<KernelDirectiveParameter> Parameters(Help.Command command) =>
        command.Options.Select(o => o.Kind == OptionKind.Flag
                ? new KernelDirectiveParameter(o.Key, o.Description) { Flag = true }
                : new KernelDirectiveParameter(o.Key, o.Description) { TypeHint = "text" })
            .Append(new KernelDirectiveParameter(DirectiveOptions.HelpOption, "show this command's help") { Flag = true });
}
