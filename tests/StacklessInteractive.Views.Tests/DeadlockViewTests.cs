namespace StacklessInteractive.Views.Tests;

/// <summary>The deadlock view and its wait-for cycle.</summary>
public class DeadlockViewTests
{
    [Fact]
    public void TalkDeadlock_BlockedTaskletsBalancesAndTheCycle()
    {
        var (s, t1, t2, ch1, ch2) = Scenarios.Deadlock();
        var uses = new Dictionary<Tasklet, ChannelBase[]> { [t1] = [ch1, ch2], [t2] = [ch2, ch1] };
        var doc = Scenarios.Parse(DeadlockView.Render(s.GetDeadlockReport(), t => uses[t]));

        Assert.Equal("true", doc.QuerySelector(".sl-deadlock-view")!.GetAttribute("data-deadlock"));
        Assert.StartsWith("Deadlock: 2 tasklets are blocked", doc.QuerySelector("[data-role=deadlock]")!.TextContent);
        var rows = doc.QuerySelectorAll("table.sl-blocked tbody tr");
        Assert.Equal(new (string?, string?, string?, string?)[] { ("t1", "ch1", "receive", "-1"), ("t2", "ch2", "receive", "-1") },
            rows.Select(r => (r.GetAttribute("data-tasklet"), r.GetAttribute("data-channel"), r.GetAttribute("data-direction"), r.GetAttribute("data-balance"))));

        var cycle = doc.QuerySelector("[data-role=cycle]")!;
        Assert.Equal("t1 -> ch1 -> t2 -> ch2 -> t1", cycle.GetAttribute("data-cycle"));
        Assert.Equal(new[] { "t1", "ch1", "t2", "ch2", "t1" },
            cycle.QuerySelectorAll("ol.sl-cycle > li").Select(li => li.GetAttribute("data-tasklet") ?? li.GetAttribute("data-channel")));
    }

    [Fact]
    public void WithoutChannelsOf_UsesTheChannelsEachTaskletCanReach()
    {
        var (s, _, _, _, _) = Scenarios.Deadlock();
        var doc = Scenarios.Parse(DeadlockView.Render(s.GetDeadlockReport()));
        Assert.Equal("t1 -> ch1 -> t2 -> ch2 -> t1", doc.QuerySelector("[data-role=cycle]")!.GetAttribute("data-cycle"));
    }

    [Fact]
    public void UnknownChannels_SayCycleUnknown()
    {
        var (s, _, _, _, _) = Scenarios.Deadlock();
        var doc = Scenarios.Parse(DeadlockView.Render(s.GetDeadlockReport(), _ => []));
        Assert.Null(doc.QuerySelector("[data-role=cycle]"));
        Assert.Contains("Cycle unknown", doc.QuerySelector("[data-role=cycle-unknown]")!.TextContent);
    }

    [Fact]
    public void NoCycle_WhenTheBlockedUseNoChannelAnotherWaitsOn()
    {
        var (s, t1, t2, ch1, ch2) = Scenarios.Deadlock();
        var other = new Channel(s, name: "other");
        var doc = Scenarios.Parse(DeadlockView.Render(s.GetDeadlockReport(), t => t == t1 ? [ch1, other] : [ch2]));
        Assert.NotNull(doc.QuerySelector("[data-role=no-cycle]"));
        _ = t2;
    }

    [Fact]
    public void NoDeadlock_SaysHowManyAreRunnable()
    {
        var s = new Scheduler();
        var ch = new Channel(s, name: "c");
        s.Spawn(async () => { await ch.Receive(); }, name: "r");
        s.Spawn(async () => { await s.Schedule(); }, name: "a");
        s.Spawn(async () => { await s.Schedule(); }, name: "b");
        s.Run(1); // r blocks; a and b are runnable
        var doc = Scenarios.Parse(DeadlockView.Render(s.GetDeadlockReport()));
        Assert.Equal("false", doc.QuerySelector(".sl-deadlock-view")!.GetAttribute("data-deadlock"));
        Assert.StartsWith("No deadlock: 2 runnable", doc.QuerySelector("[data-role=no-deadlock]")!.TextContent);
        Assert.Single(doc.QuerySelectorAll("table.sl-blocked tbody tr"));

        var idle = new Scheduler();
        var quiet = Scenarios.Parse(DeadlockView.Render(idle.GetDeadlockReport()));
        Assert.Equal("No deadlock: 0 runnable; no tasklet is blocked.", quiet.QuerySelector("[data-role=no-deadlock]")!.TextContent);
        Assert.Null(quiet.QuerySelector("table"));
    }
}
