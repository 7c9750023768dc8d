namespace StacklessInteractive.Tests;

/// <summary>Tasklet.ReachableChannels: what a deadlock view uses to find who could serve a channel.</summary>
public class ReachableChannelsTests
{
    [Fact]
    public void FindsArguments_OfABlockedTasklet_AsTheTalksDeadlockHasThem()
    {
        var s = new Scheduler();
        var ch1 = new Channel<string>(s, "ch1");
        var ch2 = new Channel<string>(s, "ch2");
        async TaskletBody Task(Channel<string> x, Channel<string> y, string message)
        {
            Console.Write(await x.Receive());
            await y.Send(message);
        }
        var t1 = s.Spawn(Task, ch1, ch2, "t1 message");
        var t2 = s.Spawn(Task, ch2, ch1, "t2 message");
        Assert.Equal(new[] { ch1, ch2 }, t1.ReachableChannels()); // before the first step: the starter's arguments
        s.Run();
        Assert.Equal(new[] { ch1, ch2 }, t1.ReachableChannels()); // suspended: the state machine's fields
        Assert.Equal(new[] { ch1, ch2 }, t2.ReachableChannels());
    }

    [Fact]
    public void FindsCapturedVariables_AndOnlyThose()
    {
        var s = new Scheduler();
        var used = new Channel<int>(s, "used");
        var other = new Channel<int>(s, "other");
        var t = s.Spawn(async () => { await used.Receive(); }, name: "waiter");
        s.Run();
        Assert.Equal(new ChannelBase[] { used }, t.ReachableChannels());
        GC.KeepAlive(other);
    }

    [Fact]
    public void IsEmpty_ForADeadTasklet()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var t = s.SpawnAction(() => ch.Close());
        s.Run();
        Assert.Empty(t.ReachableChannels());
    }
}
