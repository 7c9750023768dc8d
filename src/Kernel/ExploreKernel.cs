using System.Globalization;
using System.Text;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Events;

namespace StacklessInteractive.Kernel;

/// <summary>
/// <c>#!explore [--strategy random|pct|dfs] [--schedules N] [--seed S] [--depth D] [--steps N] [--no-reduction]</c>:
/// the rest of the cell is a program (it makes channels and spawns tasklets on <c>scheduler</c>, and may
/// <c>return () =&gt; invariant;</c>), compiled by the notebook's C# kernel and run under many schedules, each on a fresh
/// scheduler. Shows the outcomes and the first failing schedule (<see cref="Views.ExploreView"/>).
/// </summary>
internal sealed class ExploreKernel : Microsoft.DotNet.Interactive.Kernel, IKernelCommandHandler<SubmitCode>
{
    public const string KernelName = "explore";
    private readonly NotebookSession _session;

    public ExploreKernel(NotebookSession session) : base(KernelName)
    {
        _session = session;
        KernelInfo.LanguageName = "C#";
        KernelInfo.DisplayName = "Stackless schedule explorer (C#)";
        KernelInfo.Description = ExploreHelp.Explore.Summary;
    }

    public override KernelSpecifierDirective KernelSpecifierDirective
    {
        get
        {
            var directive = base.KernelSpecifierDirective;
            directive.Description = ExploreHelp.Explore.Summary;
            foreach (var option in ExploreHelp.Explore.Options)
            {
                var name = option.Name.Split(' ')[0];
                directive.Parameters.Add(name == "--no-reduction"
                    ? new KernelDirectiveParameter(name, option.Description) { Flag = true }
                    : new KernelDirectiveParameter(name, option.Description));
            }
            return directive;
        }
    }

    async Task IKernelCommandHandler<SubmitCode>.HandleAsync(SubmitCode command, KernelInvocationContext context)
    {
        if (!TryOptions(command.Parameters, out var options, out var error)) { context.Fail(command, message: error); return; }
        if (string.IsNullOrWhiteSpace(command.Code))
        {
            context.Fail(command, message: "#!explore: the cell has no program; below the #!explore line, make channels and spawn tasklets on `scheduler`.");
            return;
        }
        var csharp = _session.Root.FindKernelByName("csharp") as CSharpKernel
            ?? throw new InvalidOperationException("#!explore needs the notebook's C# kernel (named csharp).");
        var result = await csharp.SendAsync(new SubmitCode(ProgramCode(command.Code)));
        if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
        {
            context.Fail(command, message: $"The program does not compile; nothing was explored.\n{failed.Message}");
            return;
        }
        if (ExploreSession.Current.TakeDefined() is not { } program)
        {
            context.Fail(command, message: "#!explore: the program was compiled but did not reach the explorer.");
            return;
        }
        ExploreResult explored;
        try
        {
            explored = Explorer.Explore(program, options);
        }
        catch (Exception e)
        {
            context.Fail(command, e, $"#!explore: the program failed before any tasklet ran (while making its tasklets): {e.GetType().Name}: {e.Message}");
            return;
        }
        context.DisplayAs(Views.ExploreView.Render(explored), "text/html");
    }

    /// <summary>The C# submitted for a program: a factory handed to the explorer, with #line so errors point into the cell.</summary>
    internal static string ProgramCode(string body) => new StringBuilder()
        .Append("global::StacklessInteractive.Kernel.ExploreSession.Current.Define(new global::System.Func<global::StacklessInteractive.Scheduler, global::System.Func<bool>?>(scheduler =>\n{\n#line 1\n")
        .Append(body)
        .Append("\n#line default\n#pragma warning disable CS0162\nreturn null;\n#pragma warning restore CS0162\n}));")
        .ToString();

    /// <summary>The options of the directive, checked: a clear error names the option and what it takes.</summary>
    internal static bool TryOptions(IDictionary<string, string> parameters, out ExploreOptions options, out string error)
    {
        options = new ExploreOptions();
        error = "";
        string? Get(string name) => parameters.TryGetValue(name, out var v) ? Unquote(v) : null;
        if (Get("--strategy") is { } strategy)
        {
            switch (strategy)
            {
                case "random": options = options with { Strategy = ExploreStrategy.Random }; break;
                case "pct": options = options with { Strategy = ExploreStrategy.Pct }; break;
                case "dfs": options = options with { Strategy = ExploreStrategy.Dfs }; break;
                default: error = $"#!explore --strategy takes random, pct or dfs; got '{strategy}'."; return false;
            }
        }
        if (Get("--schedules") is { } schedules)
        {
            if (!int.TryParse(schedules, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            { error = $"#!explore --schedules takes a number of schedules, 1 or more; got '{schedules}'."; return false; }
            options = options with { Schedules = n };
        }
        else if (options.Strategy == ExploreStrategy.Dfs) options = options with { Schedules = 100_000 };
        if (Get("--seed") is { } seed)
        {
            if (!ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            { error = $"#!explore --seed takes a whole number, 0 or more; got '{seed}'."; return false; }
            options = options with { Seed = s };
        }
        if (Get("--depth") is { } depth)
        {
            if (!int.TryParse(depth, NumberStyles.None, CultureInfo.InvariantCulture, out var d) || d < 1)
            { error = $"#!explore --depth takes PCT's depth, 1 or more; got '{depth}'."; return false; }
            options = options with { Depth = d };
        }
        if (Get("--steps") is { } steps)
        {
            if (!long.TryParse(steps, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
            { error = $"#!explore --steps takes the step bound of one run, 1 or more; got '{steps}'."; return false; }
            options = options with { MaxSteps = k };
        }
        // The host passes every flag it declares, "False" when it is absent.
        if (parameters.TryGetValue("--no-reduction", out var noReduction) && !string.Equals(noReduction, "false", StringComparison.OrdinalIgnoreCase))
            options = options with { Reduction = false };
        return true;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
}
