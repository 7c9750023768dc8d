namespace StacklessInteractive.Views.Tests;

/// <summary>The wait-for graph, on hand-made reports (tasklets and channels need not really be blocked).</summary>
public class WaitForGraphTests
{
    private readonly Scheduler _s = new();

    private Tasklet T(string name) => new(_s) { Name = name };
    private Channel C(string name) => new(_s, name);

    [Fact]
    public void TwoTaskletsTwoChannels_FindTheCycle()
    {
        Tasklet t1 = T("t1"), t2 = T("t2");
        Channel c1 = C("ch1"), c2 = C("ch2");
        var blocked = new[] { new BlockedTasklet(t1, c1, -1), new BlockedTasklet(t2, c2, -1) };
        var uses = new Dictionary<Tasklet, ChannelBase[]> { [t1] = [c1, c2], [t2] = [c2, c1] };
        var cycle = WaitForGraph.FindCycle(blocked, t => uses[t])!;
        Assert.Equal(new[] { t1, t2 }, cycle.Select(b => b.Tasklet));
        Assert.Equal("t1 -> ch1 -> t2 -> ch2 -> t1", WaitForGraph.Format(cycle));
    }

    [Fact]
    public void ThreeCycleAmongOthers_StartsWithTheOldestMember()
    {
        Tasklet bystander = T("bystander"), a = T("a"), b = T("b"), c = T("c");
        Channel ca = C("ca"), cb = C("cb"), cc = C("cc"), lonely = C("lonely");
        // c waits on cc, which only a uses; a on ca, which only b uses; b on cb, which only c uses.
        var blocked = new[]
        {
            new BlockedTasklet(bystander, lonely, -1),
            new BlockedTasklet(c, cc, 1),
            new BlockedTasklet(a, ca, -1),
            new BlockedTasklet(b, cb, -1),
        };
        var uses = new Dictionary<Tasklet, ChannelBase[]> { [bystander] = [lonely, ca], [a] = [ca, cc], [b] = [cb, ca], [c] = [cc, cb] };
        var cycle = WaitForGraph.FindCycle(blocked, t => uses[t])!;
        Assert.Equal("c -> cc -> a -> ca -> b -> cb -> c", WaitForGraph.Format(cycle));
        Assert.Equal(1, cycle[0].Direction);
    }

    [Fact]
    public void AChainWithoutReturn_HasNoCycle()
    {
        Tasklet a = T("a"), b = T("b");
        Channel ca = C("ca"), cb = C("cb"), free = C("free");
        var blocked = new[] { new BlockedTasklet(a, ca, -1), new BlockedTasklet(b, cb, -1) };
        var uses = new Dictionary<Tasklet, ChannelBase[]> { [a] = [ca, free], [b] = [cb, ca] }; // a waits for b; b waits for nobody blocked
        Assert.Null(WaitForGraph.FindCycle(blocked, t => uses[t]));
        Assert.True(WaitForGraph.KnowsChannels(blocked, t => uses[t]));
    }

    [Fact]
    public void TaskletsWaitingOnTheSameChannel_DoNotServeEachOther()
    {
        Tasklet a = T("a"), b = T("b");
        var shared = C("shared");
        var blocked = new[] { new BlockedTasklet(a, shared, -1), new BlockedTasklet(b, shared, -1) };
        Assert.Null(WaitForGraph.FindCycle(blocked, _ => [shared]));
        Assert.False(WaitForGraph.KnowsChannels(blocked, _ => [shared]));
    }

    [Fact]
    public void ALookupThatThrows_CountsAsKnowingNothing()
    {
        Tasklet a = T("a"), b = T("b");
        Channel ca = C("ca"), cb = C("cb");
        var blocked = new[] { new BlockedTasklet(a, ca, -1), new BlockedTasklet(b, cb, -1) };
        Assert.Null(WaitForGraph.FindCycle(blocked, t => t == a ? throw new InvalidOperationException() : [cb, ca]));
    }
}
