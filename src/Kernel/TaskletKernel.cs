using System.Text;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Events;

namespace StacklessInteractive.Kernel;

/// <summary>
/// <c>#!tasklet [--name NAME]</c>: the rest of the cell is the body of a new tasklet. The body is compiled by the
/// notebook's C# kernel (so it sees the variables of earlier cells, channels among them) as an
/// <c>async TaskletBody</c> lambda, and spawned: scheduled, not run. A body that does not compile fails the cell
/// and spawns nothing. Before compiling, <see cref="TickRewriter"/> puts a tick check at each loop's back-edge and
/// each function's entry, so that a body that never switches can still be stopped (<see cref="Ticks"/>).
/// </summary>
internal sealed partial class TaskletKernel : Microsoft.DotNet.Interactive.Kernel, IKernelCommandHandler<SubmitCode>
{
    public const string KernelName = "tasklet";
    public const string DirectiveName = "#!" + KernelName;
    public const string NoBodyMessage = "#!tasklet: the cell has no body; write the tasklet's C# code below the #!tasklet line.";
    private readonly NotebookSession _session;

    public TaskletKernel(NotebookSession session) : base(KernelName)
    {
        _session = session;
        KernelInfo.LanguageName = "C#";
        KernelInfo.DisplayName = "Stackless tasklet (C#)";
        KernelInfo.Description = "The cell is the body of a new tasklet, spawned on the notebook's scheduler (run it with #!run or #!step).";
    }

    public override KernelSpecifierDirective KernelSpecifierDirective
    {
        get
        {
            var directive = base.KernelSpecifierDirective;
            directive.Description = Help.Tasklet.Summary;
            foreach (var parameter in Setup.Parameters(Help.Tasklet)) directive.Parameters.Add(parameter);
            return directive;
        }
    }

    async Task IKernelCommandHandler<SubmitCode>.HandleAsync(SubmitCode command, KernelInvocationContext context)
    {
        var line = Setup.LineOf(command, context, DirectiveName);
        if (!DirectiveOptions.TryParse(Help.Tasklet, line, out var options, out var error)) { context.Fail(command, message: error); return; }
        if (options.WantsHelp) { context.DisplayAs(Help.CommandHtml(Help.Tasklet), "text/html"); return; }
        var name = options.Text("--name");
        if (string.IsNullOrWhiteSpace(command.Code)) { context.Fail(command, message: NoBodyMessage); return; }

        var csharp = _session.Root.FindKernelByName("csharp") as CSharpKernel
            ?? throw new InvalidOperationException("#!tasklet needs the notebook's C# kernel (named csharp).");
        var aliveBefore = _session.Scheduler.AliveCount;
        var code = SpawnCode(name, command.Code);
        var result = await csharp.SendAsync(new SubmitCode(TickRewriter.Rewrite(code)));
        if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { Message: var compileError } && s_awaitErrors.Any(e => compileError.Contains(e, StringComparison.Ordinal)))
            result = await csharp.SendAsync(new SubmitCode(TickRewriter.Rewrite(code, syncOnly: true))); // an inserted await that cannot be there
        if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
        {
            // The C# kernel has already shown its errors in this cell (both hosts print them): say what it means, not them again.
            context.Fail(command, message: $"The body of tasklet {name ?? "(unnamed)"} does not compile (the compiler's errors are above); nothing was spawned.");
            return;
        }
        if (_session.TakeSpawnedFromCell() is not { } tasklet || _session.Scheduler.AliveCount != aliveBefore + 1)
        {
            context.Fail(command, message: "#!tasklet: the body was compiled but no tasklet was spawned.");
            return;
        }
        _session.NoteChannels(tasklet, NamedChannels(csharp, command.Code));
        BlockSites.Note(tasklet, command.Code);
        _session.NoteBody(tasklet, command.Code);
        context.DisplayAs(Views.TaskletTable.Render([tasklet]) + Views.SchedulerView.Render(_session.Scheduler), "text/html");
    }

    // What only an inserted await can cause: a ref struct (Span) or ref local live across it (CS4007, CS4012, CS4013,
    // CS9217), an await in a lock or an unsafe context (CS1996, CS4004). Other errors are the body's own: one compile.
    private static readonly string[] s_awaitErrors = ["CS4007", "CS4012", "CS4013", "CS9217", "CS1996", "CS4004"];

    /// <summary>The C# submitted for a body: a lambda handed to the session, with #line so errors point into the cell.</summary>
    internal static string SpawnCode(string? name, string body)
    {
        var code = new StringBuilder();
        code.Append("global::StacklessInteractive.Kernel.NotebookSession.Current.SpawnFromCell(")
            .Append(name is null ? "null" : Literal(name))
            .Append(", async global::StacklessInteractive.TaskletBody () =>\n{\n#line 1\n")
            .Append(body)
            .Append("\n#line default\n});"); // a statement: the tasklet's view comes from this kernel, once
        return code.ToString();
    }

    /// <summary>The notebook's channel variables that the body names: what the body may use (for deadlock cycles).</summary>
    private static IReadOnlyList<ChannelBase> NamedChannels(CSharpKernel csharp, string body)
    {
        var names = Identifier().Matches(body).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var variables = csharp.ScriptState?.Variables ?? [];
        return variables.Where(v => names.Contains(v.Name) && v.Value is ChannelBase)
            .Select(v => (ChannelBase)v.Value).Distinct().OrderBy(c => c.Id).ToList();
    }

    private static string Literal(string value) =>
        "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r") + "\"";

    [GeneratedRegex(@"@?[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();
}
