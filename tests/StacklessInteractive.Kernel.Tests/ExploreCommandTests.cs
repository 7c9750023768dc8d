namespace StacklessInteractive.Kernel.Tests;

/// <summary>#!explore and #!replay in a real CompositeKernel: the outcomes table, the failing schedule, stepping through it.</summary>
[Collection(KernelCollection.Name)]
public class ExploreCommandTests(KernelFixture notebook)
{
    private const string LostUpdate = """
        var balance = 100;
        scheduler.Spawn(async () => { var b = balance; await scheduler.Schedule(); balance = b + 50; }, "alice");
        scheduler.Spawn(async () => { await scheduler.Schedule(); await scheduler.Schedule(); balance += 50; }, "bob");
        scheduler.Spawn(async () =>
        {
            for (var i = 0; i < 4; i++) await scheduler.Schedule();
            Console.WriteLine("balance " + balance);
            Stackless.Assert(balance == 200);
        }, "auditor");
        """;

    [Fact]
    public async Task Explore_ShowsTheOutcomesWithCounts_AndTheShrunkFailingScheduleAsATimeline()
    {
        var doc = Cell.Document(await notebook.Run("#!explore --strategy dfs\n" + LostUpdate));
        var view = doc.QuerySelector(".sl-explore-view")!;
        var schedules = int.Parse(view.GetAttribute("data-schedules")!);
        var rows = view.QuerySelectorAll("table.sl-outcomes tbody tr");
        Assert.Equal(schedules, rows.Sum(r => int.Parse(r.GetAttribute("data-count")!)));
        Assert.Contains(rows, r => r.TextContent.Contains("balance 200") && r.GetAttribute("data-bug") is null);
        Assert.Contains(rows, r => r.TextContent.Contains("balance 150") && r.GetAttribute("data-bug") == "assertion failed");
        Assert.Contains("every schedule", view.QuerySelector(".sl-summary")!.TextContent);

        var failure = view.QuerySelector(".sl-failure")!;
        Assert.Equal("assertion failed", failure.GetAttribute("data-bug"));
        Assert.NotNull(failure.QuerySelector(".sl-timeline-view svg"));
        var schedule = failure.GetAttribute("data-schedule")!;
        Assert.Contains("#!replay " + schedule, failure.TextContent);

        // #!replay rebuilds it on the notebook's scheduler; stepping through it ends in the same failure.
        await notebook.Run("#!replay " + schedule);
        var step = await notebook.Run("#!step");
        Assert.Single(Cell.Document(step).QuerySelectorAll(".sl-timeline-view"));
        var rest = await notebook.Submit("#!run");
        Assert.Contains("balance 150", Cell.StandardOutput(rest));
        Assert.Contains("Assertion failed: balance == 200", Cell.FailureOf(rest));
        await notebook.Reset();
    }

    [Fact]
    public async Task Explore_ACorrectProgram_ReportsOneOutcomeAndNoBug()
    {
        var doc = Cell.Document(await notebook.Run("""
            #!explore --strategy random --schedules 50 --seed 3
            var ch = new Channel<int>(scheduler);
            scheduler.Spawn(async () => { for (var i = 1; i <= 3; i++) await ch.Send(i); });
            scheduler.Spawn(async () => { var sum = 0; for (var i = 0; i < 3; i++) sum += await ch.Receive(); Console.WriteLine(sum); });
            """));
        var view = doc.QuerySelector(".sl-explore-view")!;
        Assert.Equal("50", view.GetAttribute("data-schedules"));
        Assert.Equal("0", view.GetAttribute("data-failures"));
        Assert.Equal("6", Assert.Single(view.QuerySelectorAll("table.sl-outcomes tbody tr")).QuerySelector("pre")!.TextContent);
        Assert.Null(view.QuerySelector(".sl-failure"));
    }

    [Fact]
    public async Task Dfs_UsesTheReductionUnlessTold_AndItRunsFewerSchedulesOnChannelOnlyPrograms()
    {
        const string Pipeline = "\nvar a = new Channel<int>(scheduler);\nvar b = new Channel<int>(scheduler);\n"
            + "scheduler.Spawn(async () => { await a.Send(1); await b.Send(2); });\n"
            + "scheduler.Spawn(async () => { await a.Receive(); });\n"
            + "scheduler.Spawn(async () => { await b.Receive(); });";
        var reduced = Cell.Document(await notebook.Run("#!explore --strategy dfs" + Pipeline)).QuerySelector(".sl-explore-view")!;
        var full = Cell.Document(await notebook.Run("#!explore --strategy dfs --no-reduction" + Pipeline)).QuerySelector(".sl-explore-view")!;
        Assert.Contains("with partial-order reduction", reduced.QuerySelector(".sl-summary")!.TextContent);
        Assert.DoesNotContain("reduction", full.QuerySelector(".sl-summary")!.TextContent);
        Assert.True(int.Parse(reduced.GetAttribute("data-schedules")!) < int.Parse(full.GetAttribute("data-schedules")!));
    }

    [Theory]
    [InlineData("#!explore --strategy bfs\nscheduler.Spawn(async () => {});", "--strategy takes random, pct or dfs; got 'bfs'")]
    [InlineData("#!explore --schedules 0\nscheduler.Spawn(async () => {});", "--schedules takes a number of schedules, 1 or more; got '0'")]
    [InlineData("#!explore --depth x\nscheduler.Spawn(async () => {});", "--depth takes PCT's depth")]
    [InlineData("#!explore\nscheduler.Spwan(async () => {});", "does not compile; nothing was explored")]
    [InlineData("#!replay 1.x", "#!replay: '1.x': choice #2 ('x') is not a number")]
    public async Task BadInput_FailsTheCellWithAReason(string cell, string reason)
    {
        await notebook.Run("#!explore --schedules 1\nscheduler.Spawn(async () => {});"); // so #!replay has a program
        Assert.Contains(reason, Cell.FailureOf(await notebook.Submit(cell)));
    }
}
