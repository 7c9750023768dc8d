namespace StacklessInteractive.Views.Tests;

/// <summary>
/// The deadlock panel tells stuck from waiting (issue 16, part 4): one banner, chains described as chains, and a
/// size that stays small at 10,000 blocked tasklets (part 5).
/// </summary>
public class DeadlockDiagnosisTests
{
    /// <summary><paramref name="n"/> relays: r[i] receives on c[i] and passes the value on to c[i+1]; all blocked.</summary>
    private static (Scheduler S, Channel<int>[] C, Dictionary<Tasklet, ChannelBase[]> Uses) Relays(int n)
    {
        var s = new Scheduler();
        var c = Enumerable.Range(0, n + 1).Select(i => new Channel<int>(s, name: $"c{i}")).ToArray();
        var uses = new Dictionary<Tasklet, ChannelBase[]>();
        for (var i = 0; i < n; i++)
        {
            var k = i;
            uses[s.Spawn(async () => await c[k + 1].Send(await c[k].Receive()), name: $"r{k}")] = [c[k], c[k + 1]];
        }
        s.Run();
        return (s, c, uses);
    }

    [Fact]
    public void AReceiverWaitingForMain_IsWaiting_NotDeadlocked()
    {
        var s = new Scheduler();
        var box = new Channel<int>(s, name: "box");
        s.Spawn(async () => { await box.Receive(); }, name: "reader");
        s.Run();
        var doc = Scenarios.Parse(DeadlockView.Render(s.GetDeadlockReport(), holderOf: c => c == box ? "main" : null));
        var view = doc.QuerySelector(".sl-deadlock-view")!;
        Assert.Equal(("false", "waiting"), (view.GetAttribute("data-deadlock"), view.GetAttribute("data-state")));
        Assert.Null(doc.QuerySelector("[data-role=deadlock]"));
        Assert.StartsWith("Waiting, not deadlocked: 1 tasklet is blocked on channels that main can still serve.", doc.QuerySelector("[data-role=waiting]")!.TextContent);
        Assert.Equal("main", doc.QuerySelector("tr[data-tasklet=reader]")!.GetAttribute("data-served-by"));
        Assert.Single(doc.QuerySelectorAll(".sl-alert, .sl-wait, .sl-fine")); // one banner
    }

    [Fact]
    public void AWorkerWaitingForTheNextJob_AfterAProducerConsumerRun_IsWaiting()
    {
        var s = new Scheduler();
        var jobs = new Channel<int>(s, name: "jobs");
        var worker = s.Spawn(async () => { while (true) await jobs.Receive(); }, name: "worker");
        s.Spawn(async () => { for (var i = 0; i < 3; i++) await jobs.Send(i); }, name: "producer");
        s.Run();
        Assert.Single(s.GetDeadlockReport().Blocked);
        var withoutMain = DeadlockDiagnosis.Of(s.GetDeadlockReport(), t => t.ReachableChannels());
        Assert.Equal(DeadlockState.Deadlocked, withoutMain.State); // only the worker uses jobs: nobody will serve it
        var withMain = DeadlockDiagnosis.Of(s.GetDeadlockReport(), t => t.ReachableChannels(), c => c == jobs ? "main" : null);
        Assert.Equal(DeadlockState.Waiting, withMain.State);
        Assert.Equal("main", withMain.ServedBy(worker));
    }

    [Fact]
    public void TheTalksCycle_IsDeadlocked_EvenWhenMainHoldsItsChannels()
    {
        var (s, t1, t2, ch1, ch2) = Scenarios.Deadlock();
        var doc = Scenarios.Parse(DeadlockView.Render(s.GetDeadlockReport(), holderOf: _ => "main"));
        Assert.Equal("deadlocked", doc.QuerySelector(".sl-deadlock-view")!.GetAttribute("data-state"));
        Assert.Equal("Deadlock: 2 tasklets are blocked and none can run.", doc.QuerySelector("[data-role=deadlock]")!.TextContent);
        Assert.Equal("t1 -> ch1 -> t2 -> ch2 -> t1", doc.QuerySelector("[data-role=cycle]")!.GetAttribute("data-cycle"));
        Assert.Single(doc.QuerySelectorAll(".sl-alert, .sl-wait, .sl-fine"));
        _ = (t1, t2, ch1, ch2);
    }

    [Fact]
    public void AChainNobodyServes_IsDeadlocked_AndDescribedAsAChain()
    {
        var (s, _, uses) = Relays(3);
        var doc = Scenarios.Parse(DeadlockView.Render(s.GetDeadlockReport(), t => uses[t]));
        Assert.Equal("deadlocked", doc.QuerySelector(".sl-deadlock-view")!.GetAttribute("data-state"));
        var chain = doc.QuerySelector("[data-role=chain]")!;
        Assert.Equal("r2 -> c2 -> r1 -> c1 -> r0 -> c0 -> nobody", chain.GetAttribute("data-chain"));
        Assert.Contains("only the next one, itself blocked, could serve", chain.TextContent);
        Assert.Null(doc.QuerySelector("[data-role=no-cycle]"));
        Assert.Equal(["nobody", "r0", "r1"], doc.QuerySelectorAll("tr[data-tasklet]").Select(r => r.GetAttribute("data-served-by")));
    }

    [Fact]
    public void AChainThatMainServes_IsWaiting_AndUnwindsFromMain()
    {
        var (s, c, uses) = Relays(3);
        var doc = Scenarios.Parse(DeadlockView.Render(s.GetDeadlockReport(), t => uses[t], ch => ch == c[0] ? "main" : null));
        Assert.Equal("waiting", doc.QuerySelector(".sl-deadlock-view")!.GetAttribute("data-state"));
        var chain = doc.QuerySelector("[data-role=chain]")!;
        Assert.Equal("r2 -> c2 -> r1 -> c1 -> r0 -> c0 -> main", chain.GetAttribute("data-chain"));
        Assert.Contains("once main serves the last, the chain unwinds", chain.TextContent);
    }

    [Fact]
    public void SomeStuck_SomeWaiting_SaysHowManyOfEach()
    {
        var s = new Scheduler();
        var held = new Channel<int>(s, name: "held");
        var lost = new Channel<int>(s, name: "lost");
        var patient = s.Spawn(async () => { await held.Receive(); }, name: "patient");
        var forgotten = s.Spawn(async () => { await lost.Receive(); }, name: "forgotten");
        s.Run();
        // (one closure holds both channels, so say which each body uses)
        var uses = new Dictionary<Tasklet, ChannelBase[]> { [patient] = [held], [forgotten] = [lost] };
        var doc = Scenarios.Parse(DeadlockView.Render(s.GetDeadlockReport(), t => uses[t], c => c == held ? "main" : null));
        Assert.Equal("Deadlock: 1 of the 2 blocked tasklets are stuck; the other 1 may still be served.", doc.QuerySelector("[data-role=deadlock]")!.TextContent);
        Assert.Equal(["forgotten", "patient"], doc.QuerySelectorAll("tr[data-tasklet]").Select(r => r.GetAttribute("data-tasklet"))); // stuck first
        Assert.Equal(["true", "false"], doc.QuerySelectorAll("tr[data-tasklet]").Select(r => r.GetAttribute("data-stuck")));
    }

    [Fact]
    public void TenThousandBlockedRelays_GiveASmallPanel_WithTheChainElided()
    {
        var (s, _, uses) = Relays(10_000);
        var html = DeadlockView.Render(s.GetDeadlockReport(), t => uses[t]);
        Assert.True(html.Length < 40_000, $"{html.Length:N0} characters");
        var doc = Scenarios.Parse(html);
        Assert.Equal(DeadlockView.MaxRows, doc.QuerySelectorAll("tr[data-tasklet]").Length);
        Assert.Equal("9970 more blocked tasklets (report.Blocked lists them all).", doc.QuerySelector("[data-role=more-blocked]")!.TextContent);
        var chain = doc.QuerySelector("[data-role=chain]")!;
        Assert.Equal("10000", chain.GetAttribute("data-length"));
        Assert.Contains("9992 more", chain.QuerySelector("[data-role=chain-more]")!.TextContent);
        Assert.Equal(["r9999", "r9998", "r9997", "r9996", "r3", "r2", "r1", "r0"], chain.QuerySelectorAll("[data-role=chain-tasklet]").Select(e => e.GetAttribute("data-tasklet")));
    }
}
