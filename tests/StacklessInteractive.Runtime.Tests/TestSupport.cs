namespace StacklessInteractive.Tests;

/// <summary>An exception type no runtime code raises, so a test sees exactly the one it threw.</summary>
internal sealed class TestError(string message) : Exception(message);

/// <summary>What a test that something is not kept alive needs: collections until it is gone.</summary>
internal static class GcAssert
{
    /// <summary>
    /// Collects (and runs pending finalizers) up to five times while <paramref name="weak"/>'s target is alive, then
    /// asserts that it is gone. The caller made it in a method of its own, so no local of the test keeps it.
    /// </summary>
    public static void Collected(WeakReference weak, string because)
    {
        for (var i = 0; i < 5 && weak.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(weak.IsAlive, because);
    }
}

internal static class Health
{
    /// <summary>
    /// The scheduler works as a fresh one would: main is current, two fresh tasklets interleave at Schedule and
    /// one hands main a value, then everything ends and nothing is left queued or blocked.
    /// </summary>
    public static void AssertStillWorks(Scheduler s)
    {
        Assert.Same(s.Main, s.Current);
        Assert.Equal(TaskletState.Current, s.Main.State);
        var aliveBefore = s.AliveCount;
        var ch = new Channel<int>(s);
        var log = new List<string>();
        s.Spawn(async () => { log.Add("a1"); await s.Schedule(); log.Add("a2"); await ch.Send(5); });
        s.Spawn(async () => { log.Add("b1"); await s.Schedule(); log.Add("b2"); });
        Assert.Equal(5, ch.Receive().Value);
        s.Run();
        Assert.Equal(new[] { "a1", "b1", "a2", "b2" }, log);
        Assert.Equal(0, ch.Balance);
        Assert.Equal(aliveBefore, s.AliveCount);
        Assert.Equal(1, s.RunCount);
        Assert.Same(s.Main, s.Current);
    }
}
