using System.Diagnostics;
using Microsoft.DotNet.Interactive.Commands;

namespace StacklessInteractive.Kernel.Tests;

/// <summary>
/// A #!tasklet body that never switches cannot hang the session: the tick checks injected into its loops stop it
/// under a step limit, a time budget or an interrupt, and it is paused, not lost.
/// </summary>
[Collection(KernelCollection.Name)]
public class RunawayTests(KernelFixture notebook)
{
    private const string Spinner = "#!tasklet --name spinner\nspins = 0;\nwhile (true) { spins++; }";

    private static string Summary(Microsoft.DotNet.Interactive.KernelCommandResult run) =>
        Cell.Document(run).QuerySelector("p.sl-note")!.TextContent;

    private async Task<long> SpinsAsync() => (long)Cell.ReturnValue(await notebook.Run("spins"))!;

    private async Task ArrangeSpinnerAsync()
    {
        await notebook.Reset();
        await notebook.Run("long spins = -1;");
        await notebook.Run(Spinner);
    }

    [Fact]
    public async Task RunSteps_StopsABodyThatNeverYields_AndPausesIt_AndRunContinuesIt()
    {
        await ArrangeSpinnerAsync();
        var run = await notebook.Run("#!run --steps 3");
        Assert.Equal($"Stopped: a step ran about {Ticks.Quantum * Ticks.QuantaPerStep:N0} tick checks without switching while tasklet spinner was running at line 2 of its body (while (true) {{ spins++; }}). It is paused where it was; #!run continues it. Ran 1 step (step 1). Nothing runnable; 1 alive.",
            Summary(run));
        var first = await SpinsAsync();
        Assert.True(first > 0, "the body ran");
        Assert.Equal("Paused", Cell.ReturnValue(await notebook.Run("Scheduler.Default.Tasklets.Single().State.ToString()")));

        var step = await notebook.Run("#!step");
        Assert.StartsWith("Stopped: a step ran about", Summary(step));
        Assert.Contains("Ran 1 step (step 2)", Summary(step));
        Assert.True(await SpinsAsync() > first, "#!step continued the same body, not a new one");
        Assert.Equal(2L, Cell.ReturnValue(await notebook.Run("Scheduler.Default.Tasklets.Single().Steps")));
    }

    [Fact]
    public async Task PlainRun_StopsAtItsTimeBudget_NamingTheTaskletAndTheLine()
    {
        await ArrangeSpinnerAsync();
        var run = await notebook.Run("#!run --timeout 0.5");
        Assert.Equal("Stopped: the time budget of 0.5 s ran out (#!run --timeout SECONDS changes it, --timeout 0 for none) while tasklet spinner was running at line 2 of its body (while (true) { spins++; }). It is paused where it was; #!run continues it. Ran 1 step (step 1). Nothing runnable; 1 alive.",
            Summary(run));
        Assert.Contains("Stopped: the time budget", Summary(await notebook.Run("#!run --timeout 0.2")));
        await notebook.Run("#!stackless-reset"); // kills it
        Assert.Equal(0, Cell.ReturnValue(await notebook.Run("Scheduler.Default.AliveCount")));
    }

    [Fact]
    public async Task PlainRun_OfTaskletsThatSwitchForEver_StopsBetweenTwoSteps()
    {
        await notebook.Reset();
        await notebook.Run("var ping = new Channel<int>(name: \"ping\");");
        await notebook.Run("#!tasklet --name a\nwhile (true) await ping.Send(1);");
        await notebook.Run("#!tasklet --name b\nwhile (true) await ping.Receive();");
        var run = await notebook.Run("#!run --timeout 0.3");
        var summary = Summary(run);
        // Stopped between two steps, or inside one by a loop's tick check: either way, where #!run goes on.
        Assert.True(summary.StartsWith("Stopped: the time budget of 0.3 s ran out (#!run --timeout SECONDS changes it, --timeout 0 for none) ", StringComparison.Ordinal), summary);
        Assert.Contains("#!run continues", summary);
        var steps = (long)Cell.ReturnValue(await notebook.Run("Scheduler.Default.Steps"))!;
        await notebook.Run("#!run --timeout 0.1");
        Assert.True((long)Cell.ReturnValue(await notebook.Run("Scheduler.Default.Steps"))! > steps, "the next #!run goes on");
    }

    [Fact]
    public async Task ALoopInASynchronousFunction_RaisesAtTheBudget_EndingOnlyThatTasklet()
    {
        await notebook.Reset();
        await notebook.Run("long spins = -1;");
        await notebook.Run("#!tasklet --name syncspin\nvoid Spin()\n{\n    while (true) spins++;\n}\nSpin();");
        await notebook.Run("#!tasklet --name bystander\nConsole.WriteLine(\"bystander ran\");");
        var run = await notebook.Submit("#!run --timeout 0.3");
        Assert.Equal("Tasklet syncspin raised TaskletInterruptedException: The run's time budget ran out while tasklet syncspin ran line 3 of a #!tasklet body, in a synchronous function or lambda (or a lock), which cannot be paused: the tasklet raises this instead.\nThe run stopped there; the other tasklets are as they were (#!tasklets shows them).",
            Cell.FailureOf(run));
        Assert.Equal("bystander ran\n", Cell.StandardOutput(await notebook.Run("#!run")).Replace("\r", ""));
    }

    [Fact]
    public async Task Interrupting_ByTheHostsCancel_BySigint_OrTheInterruptFlag_StopsTheRun_AndKeepsTheState()
    {
        var session = NotebookSession.Current;
        var interrupts = new (string How, Action Send)[]
        {
            ("the host's Cancel command", () => _ = notebook.Kernel.SendAsync(new Cancel())),
            ("SIGINT", () => Process.Start("kill", ["-INT", Environment.ProcessId.ToString()])!.WaitForExit()),
            ("Ticks.Interrupt", Ticks.Interrupt),
        };
        foreach (var (how, send) in interrupts)
        {
            await ArrangeSpinnerAsync();
            await notebook.Run("var kept = \"still here\";");
            var running = notebook.Submit("#!run --timeout 0");
            var waited = Stopwatch.StartNew();
            while (!session.Running) // the run is under way: a SIGINT now is ours to handle
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"{how}: the run did not start");
                await Task.Delay(20);
            }
            await Task.Delay(200);
            send();
            var finished = await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(finished == running, $"{how}: the run did not stop");
            var run = await running;
            // The host's Cancel fails the cell itself (its own message); SIGINT and the flag reach our summary.
            if (how == "the host's Cancel command") Assert.Contains("cancel", Cell.FailureOf(run), StringComparison.OrdinalIgnoreCase);
            else Assert.Equal("Stopped: the cell was interrupted while tasklet spinner was running at line 2 of its body (while (true) { spins++; }). It is paused where it was; #!run continues it. Ran 1 step (step 1). Nothing runnable; 1 alive.", Summary(run));
            Assert.Equal("still here", Cell.ReturnValue(await notebook.Run("kept")));
            Assert.True(await SpinsAsync() > 0, how);
        }
    }

    [Fact]
    public async Task TheChecks_KeepTheBodysLinesAndColumns_ForCompileErrors()
    {
        await notebook.Reset();
        var failed = await notebook.Submit("#!tasklet --name broken\nfor (var i = 0; i < 3; i++)\n    Console.WriteLine(i);\nwhile (true)\n    undefinedName++;");
        Assert.Equal("The body of tasklet broken does not compile (the compiler's errors are above); nothing was spawned.", Cell.FailureOf(failed));
        // Every statement keeps its line and column in the rewritten code, so the compiler's errors point where they did.
        var body = "for (var i = 0; i < 3; i++)\n    Console.WriteLine(i);\nwhile (true)\n    undefinedName++;";
        var rewritten = TickRewriter.Rewrite(TaskletKernel.SpawnCode("broken", body)).Split('\n');
        var original = TaskletKernel.SpawnCode("broken", body).Split('\n');
        Assert.Equal(original.Length, rewritten.Length);
        foreach (var statement in new[] { "Console.WriteLine(i);", "undefinedName++;" })
            Assert.Equal(Array.FindIndex(original, l => l.Contains(statement)) is var at && at >= 0 ? (at, original[at].IndexOf(statement)) : default,
                Array.FindIndex(rewritten, l => l.Contains(statement)) is var at2 && at2 >= 0 ? (at2, rewritten[at2].IndexOf(statement)) : default);
        Assert.Contains("Ticks.Check(", string.Join("\n", rewritten));
    }

    [Fact]
    public async Task ABodyWhereAnAwaitCannotStand_StillCompiles_WithSynchronousChecks()
    {
        await notebook.Reset();
        await notebook.Run("#!tasklet --name spans\nSpan<int> digits = stackalloc int[4];\nfor (var i = 0; i < digits.Length; i++) digits[i] = i;\nvar sum = 0;\nforeach (var d in digits) sum += d;\nConsole.WriteLine(sum);\nvar gate = new object();\nlock (gate) { for (var j = 0; j < 2; j++) sum++; }\nConsole.WriteLine(sum);");
        Assert.Equal("6\n8\n", Cell.StandardOutput(await notebook.Run("#!run")).Replace("\r", ""));
    }
}
