using AngleSharp.Dom;

namespace StacklessInteractive.Kernel.Tests;

/// <summary>Each magic command driven in a real CompositeKernel, its HTML parsed and its structure checked.</summary>
[Collection(KernelCollection.Name)]
public class CommandTests(KernelFixture notebook)
{
    private static readonly string[] s_commands =
        ["#!tasklet", "#!run", "#!step", "#!tasklets", "#!channels", "#!timeline", "#!explore", "#!replay", "#!stackless-reset", "#!stackless"];

    [Fact]
    public void Loading_ShowsAShortHelp_NamingEveryCommand()
    {
        var help = Cell.Document(notebook.Loaded).QuerySelector(".sl-help")!;
        Assert.NotNull(help);
        var named = help.QuerySelectorAll("code").Select(c => c.TextContent).ToHashSet();
        Assert.All(s_commands, c => Assert.Contains(c, named));
        Assert.Contains("#!tasklet --name producer", help.TextContent); // and one example
    }

    [Fact]
    public async Task LoadingTheExtensionAgain_ShowsTheHelp_AndKeepsTheSessionWorking()
    {
        await notebook.Reset();
        await notebook.Run("var kept = new Channel<int>(name: \"kept\");");
        await notebook.Run("#!tasklet --name before\nawait kept.Send(5);");
        var again = await notebook.Run("await new StacklessInteractive.Kernel.StacklessKernelExtension().OnLoadAsync(Microsoft.DotNet.Interactive.Kernel.Root);");
        Assert.NotNull(Cell.Document(again).QuerySelector(".sl-help"));
        await notebook.Run("#!tasklet --name after\nConsole.WriteLine(await kept.Receive());");
        var run = await notebook.Run("#!run");
        Assert.Equal("5\n", Cell.StandardOutput(run).Replace("\r", ""));
        Assert.Equal(["before", "after"], Cell.Document(run).QuerySelectorAll("g.lane").Select(l => l.GetAttribute("data-tasklet")));
    }

    [Fact]
    public async Task Stackless_ListsEveryCommand_WithItsOptions()
    {
        var rows = Cell.Document(await notebook.Run("#!stackless")).QuerySelectorAll(".sl-help tbody tr");
        Assert.Equal(s_commands, rows.Select(r => r.QuerySelector("td code")!.TextContent));
        var run = rows.Single(r => r.QuerySelector("td code")!.TextContent == "#!run");
        Assert.Contains("--steps N", run.TextContent);
        var timeline = rows.Single(r => r.QuerySelector("td code")!.TextContent == "#!timeline");
        Assert.Contains("--plot", timeline.TextContent);
        Assert.Contains("--tasklet NAME", timeline.TextContent);
    }

    /// <summary>The talk's deadlock (../shared/reference/d_deadlock.py) driven by magic commands.</summary>
    [Fact]
    public async Task TheTalksDeadlock_ShowsBothTaskletsBlocked_BalanceMinusOne_AndTheCycle()
    {
        await notebook.Reset();
        await notebook.Run("var ch1 = new Channel<string>(name: \"ch1\");\nvar ch2 = new Channel<string>(name: \"ch2\");");
        var spawned = await notebook.Run("#!tasklet --name t1\nConsole.WriteLine(await ch1.Receive());\nawait ch2.Send(\"t1 message\");");
        var table = Assert.Single(Cell.Document(spawned).QuerySelectorAll(".sl-tasklets")); // one view of the new tasklet
        Assert.Equal("t1", table.QuerySelector("[data-tasklet]")!.GetAttribute("data-tasklet"));
        await notebook.Run("#!tasklet --name t2\nConsole.WriteLine(await ch2.Receive());\nawait ch1.Send(\"t2 message\");");

        var run = Cell.Document(await notebook.Run("#!run"));

        var panel = run.QuerySelector(".sl-deadlock-view")!;
        Assert.Equal("true", panel.GetAttribute("data-deadlock"));
        var blocked = panel.QuerySelectorAll("tr[data-tasklet]")
            .Select(r => (r.GetAttribute("data-tasklet"), r.GetAttribute("data-channel"), r.GetAttribute("data-direction"), r.GetAttribute("data-balance")))
            .OrderBy(r => r.Item1).ToList();
        Assert.Equal([("t1", "ch1", "receive", "-1"), ("t2", "ch2", "receive", "-1")], blocked);
        Assert.Equal("t1 -> ch1 -> t2 -> ch2 -> t1", panel.QuerySelector("[data-role=cycle]")!.GetAttribute("data-cycle"));

        // the simplified dump: each channel with balance -1 and its blocked tasklet in the queue
        foreach (var (channel, tasklet) in new[] { ("ch1", "t1"), ("ch2", "t2") })
        {
            var view = run.QuerySelector($".sl-channel-view[data-channel={channel}]")!;
            Assert.Equal("-1", view.GetAttribute("data-balance"));
            var waiter = Assert.Single(view.QuerySelectorAll("[data-role=waiter]"));
            Assert.Equal(tasklet, waiter.GetAttribute("data-tasklet"));
            Assert.Equal("receive", waiter.GetAttribute("data-direction"));
        }

        // running again: nothing to run, said once, with no empty timeline
        var again = Cell.Document(await notebook.Run("#!run"));
        Assert.Equal("Nothing to run: no tasklet is runnable.", again.QuerySelector(".sl-note")!.TextContent);
        Assert.Single(again.QuerySelectorAll(".sl-alert")); // one banner: the deadlock panel's
        Assert.Equal("deadlocked", again.QuerySelector(".sl-deadlock-view")!.GetAttribute("data-state"));
        Assert.Null(again.QuerySelector(".sl-timeline-view"));

        // and the same facts, printed as Stackless printed them
        var printed = Cell.ReturnValue(await notebook.Run("$\"ch1.balance: {ch1.Balance}  ch2.balance: {ch2.Balance}\""));
        Assert.Contains(printed, File.ReadAllLines(Repository.Path("tests", "reference", "d_deadlock.out")));
    }

    [Fact]
    public async Task StepThenRun_ShowTheTimeline_WithLanesAndAnArrowPerHandOff()
    {
        await notebook.Reset();
        await notebook.Run("var numbers = new Channel<int>(name: \"numbers\");");
        await notebook.Run("#!tasklet --name producer\nfor (var i = 1; i <= 3; i++) await numbers.Send(i * 10);");
        await notebook.Run("#!tasklet --name consumer\nfor (var i = 0; i < 3; i++) Console.WriteLine(\"got \" + await numbers.Receive());");

        var first = await notebook.Run("#!step");
        var firstDoc = Cell.Document(first);
        // the producer ran one step and blocked sending 10: it waits on the channel
        var waiter = Assert.Single(firstDoc.QuerySelectorAll(".sl-channel-view[data-channel=numbers] [data-role=waiter]"));
        Assert.Equal(("producer", "send", "10"), (waiter.GetAttribute("data-tasklet"), waiter.GetAttribute("data-direction"), waiter.GetAttribute("data-value")));
        Assert.Equal(["consumer"], firstDoc.QuerySelectorAll(".sl-scheduler [data-role=runnable]").Select(e => e.GetAttribute("data-tasklet")));

        var rest = await notebook.Run("#!run");
        Assert.Equal("got 10\ngot 20\ngot 30\n", Cell.StandardOutput(rest).Replace("\r", ""));
        var timeline = Cell.Document(rest).QuerySelector(".sl-timeline-view")!;
        Assert.Equal(["producer", "consumer"], timeline.QuerySelectorAll("g.lane").Select(l => l.GetAttribute("data-tasklet")));
        var arrows = timeline.QuerySelectorAll("g.handoff").Select(h => (h.GetAttribute("data-from"), h.GetAttribute("data-to"), h.GetAttribute("data-value"))).ToList();
        Assert.Equal([("producer", "consumer", "10"), ("producer", "consumer", "20"), ("producer", "consumer", "30")], arrows);

        // the whole trace: both runs
        var whole = Cell.Document(await notebook.Run("#!timeline")).QuerySelector(".sl-timeline-view")!;
        Assert.Equal(3, whole.QuerySelectorAll("g.handoff").Length);
        Assert.Equal("1", whole.GetAttribute("data-first-step") ?? whole.QuerySelector("[data-first-step]")?.GetAttribute("data-first-step"));
    }

    [Fact]
    public async Task RunWithSteps_StopsThere_AndTheNextRunGoesOnInTheSameOrder()
    {
        await notebook.Reset();
        await notebook.Run("var log = new List<string>();");
        await notebook.Run("#!tasklet --name a\nfor (var i = 0; i < 3; i++) { log.Add(\"a\" + i); await Stackless.Schedule(); }");
        await notebook.Run("#!tasklet --name b\nfor (var i = 0; i < 3; i++) { log.Add(\"b\" + i); await Stackless.Schedule(); }");
        var two = Cell.Document(await notebook.Run("#!run --steps 2"));
        Assert.Contains("Ran 2 steps", two.QuerySelector(".sl-note")!.TextContent);
        Assert.Equal(["a", "b"], two.QuerySelectorAll(".sl-scheduler [data-role=runnable]").Select(e => e.GetAttribute("data-tasklet")));
        Assert.Empty(two.QuerySelectorAll(".sl-scheduler [data-role=paused]")); // the soft run pauses nobody
        await notebook.Run("#!run");
        Assert.Equal("a0 b0 a1 b1 a2 b2", Cell.ReturnValue(await notebook.Run("string.Join(\" \", log)")));
    }

    [Fact]
    public async Task ARunTouchingManyChannels_ShowsTheFirstDozen_AndSaysHowManyMore()
    {
        await notebook.Reset();
        // a relay of 20 channels: each tasklet passes a token on to the next one
        await notebook.Run("var relay = Enumerable.Range(0, 20).Select(i => new Channel<int>(name: $\"r{i}\")).ToArray();");
        await notebook.Run("for (var i = 0; i < 19; i++) { var k = i; Scheduler.Default.Spawn(async () => await relay[k + 1].Send(await relay[k].Receive())); }");
        await notebook.Run("#!tasklet --name source\nawait relay[0].Send(1);");
        await notebook.Run("#!tasklet --name sink\nConsole.WriteLine(\"token \" + await relay[19].Receive());");
        var run = await notebook.Run("#!run");
        Assert.Equal("token 1\n", Cell.StandardOutput(run).Replace("\r", ""));
        var doc = Cell.Document(run);
        Assert.Equal(12, doc.QuerySelectorAll(".sl-channel-view").Length);
        Assert.Contains(doc.QuerySelectorAll(".sl-note"), n => n.TextContent == "8 more channels: #!channels shows them all.");
        Assert.Equal(20, Cell.Document(await notebook.Run("#!channels")).QuerySelectorAll(".sl-channel-view").Length);
    }

    [Fact]
    public async Task InterruptingARunThatNeverEnds_StopsItBetweenTwoSteps_AndTheProgramCanGoOn()
    {
        await notebook.Reset();
        await notebook.Run("long spins = 0;");
        await notebook.Run("#!tasklet --name spinner\nwhile (true) { spins++; await Stackless.Schedule(); }");
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            notebook.Kernel.SendAsync(new Microsoft.DotNet.Interactive.Commands.SubmitCode("#!run"), stop.Token));
        // The kernel runs one command at a time: this cell waits for #!run to end, which it does only if it stopped.
        var spins = (long)Cell.ReturnValue(await notebook.Run("spins").WaitAsync(TimeSpan.FromSeconds(60)))!;
        Assert.True(spins > 0);
        var more = Cell.Document(await notebook.Run("#!run --steps 3"));
        Assert.StartsWith("Ran 3 steps", more.QuerySelector(".sl-note")!.TextContent);
        Assert.Equal(spins + 3, (long)Cell.ReturnValue(await notebook.Run("spins"))!);
        await notebook.Run("Scheduler.Default.Tasklets.Single().Kill();");
    }

    [Fact]
    public async Task TimelinePlot_AddsTwoPlotlyCharts_WithDeterministicIds()
    {
        await notebook.Reset();
        await notebook.Run("var c = new Channel<int>(name: \"c\");");
        await notebook.Run("#!tasklet --name s\nawait c.Send(1);");
        await notebook.Run("#!tasklet --name r\nawait c.Receive();");
        await notebook.Run("#!run");
        var html = Cell.Html(await notebook.Run("#!timeline --plot"));
        var doc = Cell.Document(await notebook.Run("#!timeline --plot --tasklet s"));
        var charts = Cell.Document(await notebook.Run("#!timeline --plot --last 1")).QuerySelectorAll(".sl-chart, div[id^='stackless-chart-']");
        Assert.NotEmpty(charts);
        Assert.NotNull(doc.QuerySelector("svg"));
        var ids = Cell.Document(await notebook.Run("#!timeline --plot")).QuerySelectorAll("div[id^='stackless-chart-']").Select(d => d.Id!).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.All(ids, id => Assert.Matches("^stackless-chart-[0-9]+$", id));
        Assert.Contains(Views.ChartHtml.CdnUrl, string.Concat(html));
    }

    [Fact]
    public async Task TaskletsAndChannels_ShowTheRunQueueInOrder_AndOneByName()
    {
        await notebook.Reset();
        await notebook.Run("var box = new Channel<string>(name: \"box\");");
        await notebook.Run("#!tasklet --name first\nawait box.Receive();");
        await notebook.Run("#!tasklet --name second\nawait Stackless.Schedule();");
        await notebook.Run("#!tasklet --name third\nawait Stackless.Schedule();");
        var all = Cell.Document(await notebook.Run("#!tasklets"));
        Assert.Equal(["first", "second", "third"], all.QuerySelectorAll(".sl-scheduler [data-role=runnable]").Select(e => e.GetAttribute("data-tasklet")));
        Assert.Equal(["first", "second", "third"], all.QuerySelectorAll(".sl-tasklets tr[data-tasklet]").Select(e => e.GetAttribute("data-tasklet")));

        await notebook.Run("#!step");
        var one = Cell.Document(await notebook.Run("#!tasklets --name first"));
        var row = Assert.Single(one.QuerySelectorAll(".sl-tasklets tr[data-tasklet]"));
        Assert.Equal("Blocked", row.GetAttribute("data-state"), ignoreCase: true);
        Assert.Contains("box", row.TextContent);

        var channels = Cell.Document(await notebook.Run("#!channels --name box"));
        Assert.Equal("-1", Assert.Single(channels.QuerySelectorAll(".sl-channel-view")).GetAttribute("data-balance"));
        await notebook.Run("box.Send(\"done\");"); // main hands the value over and the program ends
        Assert.Equal(0, Cell.ReturnValue(await notebook.Run("#!run\nScheduler.Default.AliveCount")));
    }

    [Fact]
    public async Task CellsReturningRuntimeObjects_RenderTheirViews()
    {
        await notebook.Reset();
        await notebook.Run("var shown = new Channel<int>(name: \"shown\");");
        await notebook.Run("#!tasklet --name waiter\nawait shown.Receive();");
        await notebook.Run("#!run");
        Assert.Equal("-1", Cell.Document(await notebook.Run("shown")).QuerySelector(".sl-channel-view")!.GetAttribute("data-balance"));
        Assert.NotNull(Cell.Document(await notebook.Run("Scheduler.Default")).QuerySelector(".sl-scheduler"));
        Assert.Equal("waiter", Cell.Document(await notebook.Run("Scheduler.Default.Tasklets[0]")).QuerySelector(".sl-tasklets tr[data-tasklet]")!.GetAttribute("data-tasklet"));
        Assert.NotNull(Cell.Document(await notebook.Run("Scheduler.Default.Trace")).QuerySelector(".sl-timeline-view g.lane"));
        // the waiter's channel is a notebook variable: main can still serve it, so it waits rather than being deadlocked
        Assert.Equal("waiting", Cell.Document(await notebook.Run("Scheduler.Default.GetDeadlockReport()")).QuerySelector(".sl-deadlock-view")!.GetAttribute("data-state"));
        Assert.NotNull(Cell.Document(await notebook.Run("Plotly.NET.CSharp.Chart.Bar<int, string, string>(new[] { 1, 2 }, new[] { \"a\", \"b\" })")).QuerySelector("div[id^='stackless-chart-']"));
        await notebook.Run("shown.Send(1);");
    }

    [Fact]
    public async Task Reset_StartsIdsFromOne_AndEmptiesTheTrace()
    {
        await notebook.Reset();
        await notebook.Run("#!tasklet --name x\nawait Stackless.Schedule();");
        await notebook.Run("#!run");
        var doc = Cell.Document(await notebook.Run("#!stackless-reset"));
        Assert.Empty(doc.QuerySelectorAll(".sl-scheduler [data-role=runnable]"));
        var spawned = Cell.Document(await notebook.Run("#!tasklet --name y\nawait Stackless.Schedule();"));
        Assert.Equal("1", spawned.QuerySelector(".sl-tasklets tr[data-tasklet=y]")!.GetAttribute("data-id"));
        Assert.DoesNotContain("\"x\"", string.Concat(Cell.Html(await notebook.Run("#!timeline"))));
    }
}
