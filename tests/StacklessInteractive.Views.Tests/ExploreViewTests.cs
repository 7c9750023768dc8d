namespace StacklessInteractive.Views.Tests;

/// <summary>The exploration view: a summary, the outcome table, the failing schedule with its timeline and deadlock panel.</summary>
[Collection(nameof(ExploreViewTests))] // explorations redirect the console
public class ExploreViewTests
{
    [Fact]
    public void ADeadlockEverywhere_ShowsOneFailingOutcome_TheTimelineAndTheDeadlockPanel()
    {
        var result = Explorer.Explore(s =>
        {
            var ch1 = new Channel<string>(s, "ch1");
            var ch2 = new Channel<string>(s, "ch2");
            s.Spawn(async () => { await ch1.Receive(); await ch2.Send("x"); }, "t1");
            s.Spawn(async () => { await ch2.Receive(); await ch1.Send("y"); }, "t2");
        }, new ExploreOptions { Strategy = ExploreStrategy.Dfs });
        var doc = Scenarios.Parse(ExploreView.Render(result));
        var view = doc.QuerySelector(".sl-explore-view")!;
        Assert.Equal("1", view.GetAttribute("data-schedules")); // the two receives touch different channels: one order covers both
        Assert.Equal("1", view.GetAttribute("data-failures"));
        var row = Assert.Single(view.QuerySelectorAll("table.sl-outcomes tbody tr"));
        Assert.Equal("deadlock", row.GetAttribute("data-bug"));
        Assert.Equal("100%", row.QuerySelectorAll("td")[2].TextContent);
        var failure = view.QuerySelector(".sl-failure")!;
        Assert.Equal("fifo", failure.GetAttribute("data-schedule")); // shrunk to Stackless's own order
        Assert.NotNull(failure.QuerySelector(".sl-timeline-view"));
        Assert.Equal("true", failure.QuerySelector(".sl-deadlock-view")!.GetAttribute("data-deadlock"));
        Assert.Contains("every schedule", view.QuerySelector(".sl-summary")!.TextContent);
    }
}
