namespace StacklessInteractive.Kernel.Tests;

/// <summary>
/// After a #!run, the deadlock panel tells stuck from waiting (issue 16, part 4): a channel a notebook variable
/// holds can still be served by main, so a tasklet blocked on it is waiting, said once, not in red.
/// </summary>
[Collection(KernelCollection.Name)]
public class DeadlockPanelTests(KernelFixture notebook)
{
    [Fact]
    public async Task AWorkerWaitingForTheNextJob_IsWaitingForMain_InOneBanner()
    {
        await notebook.Reset();
        await notebook.Run("var jobs = new Channel<int>(name: \"jobs\");");
        await notebook.Run("#!tasklet --name worker\nwhile (true) Console.WriteLine(\"job \" + await jobs.Receive());");
        await notebook.Run("#!tasklet --name producer\nfor (var i = 0; i < 2; i++) await jobs.Send(i);");
        var run = Cell.Document(await notebook.Run("#!run"));
        Assert.Empty(run.QuerySelectorAll(".sl-alert"));
        var banner = Assert.Single(run.QuerySelectorAll(".sl-alert, .sl-wait, .sl-fine"));
        Assert.Equal("waiting", banner.GetAttribute("data-role"));
        Assert.StartsWith("Waiting, not deadlocked: 1 tasklet is blocked on channels that main can still serve.", banner.TextContent);
        Assert.Equal("main", run.QuerySelector(".sl-deadlock-view tr[data-tasklet=worker]")!.GetAttribute("data-served-by"));
        Assert.Equal("Ran 6 steps (steps 1\u20136).", run.QuerySelector(".sl-note")!.TextContent);

        // #!tasklets and a cell returning the scheduler say the same, in one banner, not the runtime's red one
        foreach (var code in new[] { "#!tasklets", "Scheduler.Default" })
        {
            var state = Cell.Document(await notebook.Run(code));
            Assert.Empty(state.QuerySelectorAll(".sl-alert"));
            Assert.Equal("waiting", Assert.Single(state.QuerySelectorAll(".sl-alert, .sl-wait, .sl-fine")).GetAttribute("data-role"));
        }

        // main serves it, as the banner says
        var send = Cell.StandardOutput(await notebook.Run("jobs.Send(7);"));
        Assert.Equal("job 7\n", (send + Cell.StandardOutput(await notebook.Run("#!run"))).Replace("\r", ""));
        await notebook.Run("Scheduler.Default.Tasklets.Single().Kill();");
    }

    [Fact]
    public async Task TheTalksDeadlock_IsStuck_InOneRedBanner()
    {
        await notebook.Reset();
        await notebook.Run("var ch1 = new Channel<string>(name: \"ch1\");\nvar ch2 = new Channel<string>(name: \"ch2\");");
        await notebook.Run("#!tasklet --name t1\nConsole.WriteLine(await ch1.Receive());\nawait ch2.Send(\"t1 message\");");
        await notebook.Run("#!tasklet --name t2\nConsole.WriteLine(await ch2.Receive());\nawait ch1.Send(\"t2 message\");");
        var run = Cell.Document(await notebook.Run("#!run"));
        var banner = Assert.Single(run.QuerySelectorAll(".sl-alert, .sl-wait, .sl-fine"));
        Assert.Equal("Deadlock: 2 tasklets are blocked and none can run.", banner.TextContent);
        var state = Cell.Document(await notebook.Run("#!tasklets"));
        Assert.Equal("Deadlock: 2 tasklets are blocked and none can run.", Assert.Single(state.QuerySelectorAll(".sl-alert, .sl-wait, .sl-fine")).TextContent);
        Assert.Equal("Ran 2 steps (steps 1\u20132).", run.QuerySelector(".sl-note")!.TextContent);
        // each blocked at line 2 of its cell (the #!tasklet line is line 1), where it receives
        Assert.Equal(["line 2 of its #!tasklet cell", "line 2 of its #!tasklet cell"], run.QuerySelectorAll("tr[data-tasklet] [data-role=blocked-at]").Select(c => c.TextContent));
        var report = Cell.Document(await notebook.Run("Scheduler.Default.GetDeadlockReport()"));
        Assert.Equal("deadlocked", report.QuerySelector(".sl-deadlock-view")!.GetAttribute("data-state"));
        await notebook.Run("foreach (var t in Scheduler.Default.Tasklets.ToList()) t.Kill();");
    }

    [Fact]
    public async Task ARelayChainMainFeeds_IsWaiting_AndDescribedAsAChain()
    {
        await notebook.Reset();
        await notebook.Run("var links = Enumerable.Range(0, 4).Select(i => new Channel<int>(name: $\"c{i}\")).ToArray();");
        await notebook.Run("for (var i = 0; i < 3; i++) { var k = i; Scheduler.Default.Spawn(async () => await links[k + 1].Send(await links[k].Receive()), name: $\"r{k}\"); }");
        var run = Cell.Document(await notebook.Run("#!run"));
        Assert.Equal("waiting", run.QuerySelector(".sl-deadlock-view")!.GetAttribute("data-state"));
        Assert.Equal("r2 -> c2 -> r1 -> c1 -> r0 -> c0 -> main", run.QuerySelector("[data-role=chain]")!.GetAttribute("data-chain"));
        await notebook.Run("foreach (var t in Scheduler.Default.Tasklets.ToList()) t.Kill();");
    }

    [Fact]
    public async Task BlockedAt_IsTheLineOfTheAwaitThatBlocked_AndTheBodyBehavesAsWritten()
    {
        await notebook.Reset();
        await notebook.Run("var gate = new Channel<int>(name: \"gate\");\nvar never = new Channel<int>(name: \"never\");");
        await notebook.Run("#!tasklet --name late\nawait Stackless.Schedule();\nvar x = await gate.Receive()\n    + 1;\nConsole.WriteLine($\"x={x}\");\nawait never.Receive();");
        var first = Cell.Document(await notebook.Run("#!run"));
        Assert.Equal("line 3 of its #!tasklet cell", first.QuerySelector("tr[data-tasklet=late] [data-role=blocked-at]")!.TextContent);
        await notebook.Run("gate.Send(41);");
        var second = await notebook.Run("#!run");
        Assert.Equal("line 6 of its #!tasklet cell", Cell.Document(second).QuerySelector("tr[data-tasklet=late] [data-role=blocked-at]")!.TextContent);
        // a body that does not compile still reports the line the user wrote
        var (broken, seen) = await notebook.SubmitSeeingAll("#!tasklet --name broken\nawait Stackless.Schedule();\nawait gate.Send(\"no\");");
        Assert.Contains("does not compile", Cell.FailureOf(broken));
        var shown = seen.OfType<Microsoft.DotNet.Interactive.Events.DiagnosticsProduced>().SelectMany(d => d.FormattedDiagnostics).Select(f => f.Value).ToList();
        Assert.Contains(shown, text => text.Contains("(2,") && text.Contains("CS1503")); // the body's own numbering: compiled as written
        await notebook.Run("foreach (var t in Scheduler.Default.Tasklets.ToList()) t.Kill();");
    }
}
