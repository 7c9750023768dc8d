namespace StacklessInteractive.Views.Tests;

/// <summary>The talk's "High level view of scheduler".</summary>
public class SchedulerViewTests
{
    [Fact]
    public void RunQueue_CurrentFirstThenTheRingInOrder()
    {
        var s = new Scheduler();
        s.Spawn(async () => { await s.Schedule(); }, name: "a");
        s.Spawn(async () => { await s.Schedule(); }, name: "b");
        s.Spawn(async () => { await s.Schedule(); }, name: "c");
        var doc = Scenarios.Parse(SchedulerView.Render(s));
        var ring = doc.QuerySelectorAll("ol.sl-ring:not(.sl-paused) > li");
        Assert.Equal(new[] { "main", "a", "b", "c" }, ring.Select(li => li.GetAttribute("data-tasklet")));
        Assert.Equal("current", ring[0].GetAttribute("data-role"));
        Assert.All(ring.Skip(1), li => Assert.Equal("runnable", li.GetAttribute("data-role")));
        Assert.Equal("false", doc.QuerySelector(".sl-scheduler")!.GetAttribute("data-deadlock"));
        Assert.Null(doc.QuerySelector("[data-role=deadlock]"));
    }

    [Fact]
    public void ABigProgram_ShowsTheFirstOfEachRow_AndSaysHowManyMore()
    {
        var s = new Scheduler();
        for (var i = 0; i < 100; i++) s.Spawn(async () => { await s.Schedule(); }, name: "r" + i);
        var channels = Enumerable.Range(0, 40).Select(i => new Channel<int>(s, "c" + i)).ToList();
        foreach (var c in channels) for (var k = 0; k < 3; k++) s.Spawn(async () => { await c.Receive(); }, name: $"{c.Name}.{k}");
        s.Run(220, soft: true); // the 100 yielders have had their first turn and the 120 receivers have blocked

        var doc = Scenarios.Parse(SchedulerView.Render(s, maxPerRow: 10));
        var ring = doc.QuerySelectorAll("ol.sl-ring:not(.sl-paused) > li");
        Assert.Equal(12, ring.Length); // current, ten runnable, the "+N more"
        Assert.Equal("90", ring[^1].GetAttribute("data-count"));
        Assert.Equal("+90 more", ring[^1].TextContent);
        var rows = doc.QuerySelectorAll(".sl-waitrow.sl-channel");
        Assert.Equal(SchedulerView.MaxChannels, rows.Length);
        Assert.Equal("10", doc.QuerySelectorAll(".sl-waitrow:not(.sl-channel) [data-role=more]").Single().GetAttribute("data-count"));
        Assert.All(rows, r => Assert.Equal(3, r.QuerySelectorAll("[data-role=blocked]").Length));

        var two = Scenarios.Parse(SchedulerView.Render(s, maxPerRow: 2)).QuerySelector(".sl-waitrow.sl-channel")!;
        Assert.Equal(["c0.0", "c0.1"], two.QuerySelectorAll("[data-role=blocked]").Select(e => e.GetAttribute("data-tasklet")));
        Assert.Equal("1", two.QuerySelector("[data-role=more]")!.GetAttribute("data-count"));
        foreach (var t in s.Tasklets) t.Kill();
    }

    [Fact]
    public void InsideATasklet_ThatTaskletIsCurrentAndTheRestFollowInOrder()
    {
        var s = new Scheduler();
        string? html = null;
        s.Spawn(async () => { await s.Schedule(); }, name: "a");
        s.Spawn(async () => { html = SchedulerView.Render(s); await s.Schedule(); }, name: "b");
        s.Spawn(async () => { await s.Schedule(); }, name: "c");
        s.Run();
        // b's first step: a has yielded behind c, so the ring is b, c, a.
        var ring = Scenarios.Parse(html!).QuerySelectorAll("ol.sl-ring:not(.sl-paused) > li");
        Assert.Equal(new[] { "b", "c", "a" }, ring.Select(li => li.GetAttribute("data-tasklet")));
        Assert.Equal("current", ring[0].GetAttribute("data-role"));
        // Main is out of the ring while Run() drives.
        Assert.Equal(new[] { "main" }, Scenarios.Parse(html!).QuerySelectorAll("ol.sl-paused > li").Select(li => li.GetAttribute("data-tasklet")));
    }

    [Fact]
    public void BlockedTasklets_HangOffTheirChannelInQueueOrder_PausedApart()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s, name: "jobs");
        var out1 = new Channel<string>(s, name: "results");
        s.Spawn(async () => { await ch.Receive(); }, name: "r1");
        s.Spawn(async () => { await ch.Receive(); }, name: "r2");
        s.Spawn(async () => { await out1.Send("x"); }, name: "w");
        var p = s.Spawn(async () => { await s.Schedule(); }, name: "p");
        s.Spawn(async () => { await s.Schedule(); }, name: "runner");
        s.Run(3); // r1, r2 and w block
        p.Remove();
        var doc = Scenarios.Parse(SchedulerView.Render(s));

        var jobs = doc.QuerySelector(".sl-channel[data-channel=jobs]")!;
        Assert.Equal("-2", jobs.GetAttribute("data-balance"));
        var waiters = jobs.QuerySelectorAll("ol.sl-queue > li");
        Assert.Equal(new[] { "r1", "r2" }, waiters.Select(li => li.GetAttribute("data-tasklet")));
        Assert.All(waiters, li => Assert.Equal("receive", li.GetAttribute("data-direction")));
        var results = doc.QuerySelector(".sl-channel[data-channel=results]")!;
        Assert.Equal("1", results.GetAttribute("data-balance"));
        Assert.Equal("send", Assert.Single(results.QuerySelectorAll("ol.sl-queue > li")).GetAttribute("data-direction"));

        Assert.Equal(new[] { "p" }, doc.QuerySelectorAll("ol.sl-paused > li").Select(li => li.GetAttribute("data-tasklet")));
        Assert.Equal(new[] { "main", "runner" }, doc.QuerySelectorAll("ol.sl-ring:not(.sl-paused) > li").Select(li => li.GetAttribute("data-tasklet")));
    }

    [Fact]
    public void Deadlock_IsSaidProminently()
    {
        var (s, _, _, _, _) = Scenarios.Deadlock();
        var doc = Scenarios.Parse(SchedulerView.Render(s));
        Assert.Equal("true", doc.QuerySelector(".sl-scheduler")!.GetAttribute("data-deadlock"));
        var alert = doc.QuerySelector(".sl-alert[data-role=deadlock]")!;
        Assert.StartsWith("Deadlock", alert.TextContent);
        Assert.Equal(new[] { "ch1", "ch2" }, doc.QuerySelectorAll(".sl-channel").Select(c => c.GetAttribute("data-channel")));
    }

    [Fact]
    public void SameStateTwice_GivesIdenticalHtml()
    {
        var (a, _, _, _, _) = Scenarios.Deadlock();
        var (b, _, _, _, _) = Scenarios.Deadlock();
        Assert.Equal(SchedulerView.Render(a), SchedulerView.Render(a));
        Assert.Equal(SchedulerView.Render(a), SchedulerView.Render(b));
    }
}
