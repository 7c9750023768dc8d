namespace StacklessInteractive.Views.Tests;

/// <summary>The tasklet table.</summary>
public class TaskletTableTests
{
    [Fact]
    public void Rows_IdNameStateWaitsOnSteps()
    {
        var (s, t1, t2, _, _) = Scenarios.Deadlock();
        var done = s.SpawnAction(() => { });
        var fresh = s.Spawn(async () => { await s.Schedule(); }, name: "fresh");
        s.Run(1); // done runs and ends; fresh stays runnable (steps run out before it)
        var doc = Scenarios.Parse(TaskletTable.Render([s.Main, t1, t2, done, fresh]));
        var rows = doc.QuerySelectorAll("tbody tr");
        Assert.Equal(new[] { "0", t1.Id.ToString(), t2.Id.ToString(), done.Id.ToString(), fresh.Id.ToString() }, rows.Select(r => r.GetAttribute("data-id")));
        Assert.Equal(new[] { "Current", "Blocked", "Blocked", "Dead", "Runnable" }, rows.Select(r => r.GetAttribute("data-state")));

        var cells = rows[1].QuerySelectorAll("td");
        Assert.Equal(t1.Id.ToString(), cells[0].TextContent);
        Assert.Equal("t1", cells[1].TextContent);
        Assert.Equal("blocked", cells[2].TextContent);
        var waits = cells[3].QuerySelector("[data-channel]")!;
        Assert.Equal(("ch1", "receive"), (waits.GetAttribute("data-channel")!, waits.GetAttribute("data-direction")!));
        Assert.Contains("balance -1", cells[3].TextContent);
        Assert.Equal("1", cells[4].TextContent);
        Assert.Equal("", rows[4].QuerySelector("[data-role=waits-on]")!.TextContent);
    }

    [Fact]
    public void ManyTasklets_ShowTheFirstRows_AndARowSayingHowManyMore()
    {
        var s = new Scheduler();
        var tasklets = Enumerable.Range(0, 25).Select(i => s.SpawnAction(() => { }, name: "t" + i)).ToList();
        var doc = Scenarios.Parse(TaskletTable.Render(tasklets, maxRows: 20));
        Assert.Equal(tasklets.Take(20).Select(t => t.Name), doc.QuerySelectorAll("tbody tr[data-tasklet]").Select(r => r.GetAttribute("data-tasklet")));
        var more = doc.QuerySelector("tbody tr[data-role=more]")!;
        Assert.Equal("5", more.GetAttribute("data-count"));
        Assert.Equal("+5 more tasklets", more.TextContent);
        Assert.Equal("25", doc.QuerySelector(".sl-tasklets")!.GetAttribute("data-count"));
        Assert.Null(Scenarios.Parse(TaskletTable.Render(tasklets)).QuerySelector("[data-role=more]")); // 25 is under the default
        s.Run();
    }

    [Fact]
    public void WaitingOnIO_SaysIO()
    {
        var s = new Scheduler();
        var gate = new TaskCompletionSource();
        var io = s.Spawn(async () => { await s.BlockOn(gate.Task); }, name: "io");
        s.Spawn(async () =>
        {
            var doc = Scenarios.Parse(TaskletTable.Render([io]));
            Assert.Equal("WaitingIO", doc.QuerySelector("tbody tr")!.GetAttribute("data-state"));
            Assert.Equal("io", doc.QuerySelector("[data-role=waits-on] [data-direction]")!.GetAttribute("data-direction"));
            gate.SetResult();
            await s.Schedule();
        }, name: "looker");
        s.Run();
        Assert.False(io.Alive);
    }

    [Fact]
    public void NoTasklets_SaysSo()
    {
        Assert.Contains("No tasklets", Scenarios.Parse(TaskletTable.Render([])).Body!.TextContent);
    }
}
