namespace StacklessInteractive.Views.Tests;

/// <summary>A tasklet blocked in a select shows on every channel it waits on, in the scheduler view and the tasklet table.</summary>
public class SelectViewTests
{
    [Fact]
    public void ABlockedSelect_ShowsUnderEachOfItsChannels_WithEachDirection()
    {
        var s = new Scheduler();
        var a = new Channel<int>(s, "a");
        var b = new Channel<int>(s, "b");
        var t = s.Spawn(async () => await Select.From(a.Receiving(), b.Sending(1)), "selector");
        s.Run();

        var doc = Scenarios.Parse(SchedulerView.Render(s));
        var rows = doc.QuerySelectorAll(".sl-waitrow");
        Assert.Equal(["a", "b"], rows.Select(r => r.GetAttribute("data-channel")));
        Assert.Equal("receive", rows[0].QuerySelector("[data-tasklet=selector]")!.GetAttribute("data-direction"));
        Assert.Equal("send", rows[1].QuerySelector("[data-tasklet=selector]")!.GetAttribute("data-direction"));

        var table = Scenarios.Parse(TaskletTable.Render([t]));
        var waits = table.QuerySelector("[data-direction=select]")!;
        Assert.Equal(["receive", "send"], waits.QuerySelectorAll("[data-channel]").Select(e => e.GetAttribute("data-direction")));
        Assert.Contains("select: receive on a, send on b", waits.TextContent);
    }
}
