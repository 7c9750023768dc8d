using System.Runtime.CompilerServices;

namespace StacklessInteractive.Tests;

/// <summary>
/// Frames on the heap: a tasklet recursing through <c>async TaskletBody</c> helpers goes as deep as memory allows,
/// the same schedule as a shallow one, and too deep is a <see cref="RecursionException"/> in the tasklet.
/// </summary>
public class RecursionTests
{
    // The issue's helper: recurse n levels, send 1 from the bottom.
    private static async TaskletBody Rec(int n, Channel<int> c)
    {
        if (n == 0) { await c.Send(1); return; }
        await Rec(n - 1, c);
    }

    /// <summary>Sends the sum 1 + ... + n from the bottom; each level counts its return on the way back up.</summary>
    private static async TaskletBody Sum(int n, long acc, Channel<long> c, StrongBox<int> returned)
    {
        if (n == 0) { await c.Send(acc); return; }
        await Sum(n - 1, acc + n, c, returned);
        returned.Value++;
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(5_000)]   // failed with "This scheduler is running tasklet#1 on another thread" (the stack compare)
    [InlineData(100_000)] // killed the process with a stack overflow
    public void TheIssuesRecursion_ReceivedFromMain_Works(int depth)
    {
        var s = new Scheduler();
        var c = new Channel<int>(s);
        var t = s.Spawn(Rec, depth, c);
        Assert.Equal(1, c.Receive().Value);
        s.Run();
        Assert.False(t.Alive, $"depth {depth}");
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void AMillionLevels_ReceivedFromMain_GiveTheRightSum_AndEveryLevelReturns()
    {
        const int n = 1_000_000;
        var s = new Scheduler();
        var c = new Channel<long>(s);
        var returned = new StrongBox<int>();
        s.Spawn(() => Sum(n, 0, c, returned), "deep");
        Assert.Equal((long)n * (n + 1) / 2, c.Receive().Value);
        Assert.Equal(0, returned.Value); // the recursion waits at the bottom, blocked on its send's turn
        s.Run();
        Assert.Equal(n, returned.Value);
        Assert.Equal(0, s.AliveCount);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void AMillionLevels_UnderRun_GiveTheRightSum()
    {
        const int n = 1_000_000;
        var s = new Scheduler();
        var c = new Channel<long>(s);
        var returned = new StrongBox<int>();
        long received = 0;
        s.Spawn(() => Sum(n, 0, c, returned), "deep");
        s.Spawn(async () => { received = await c.Receive(); });
        s.Run();
        Assert.Equal((long)n * (n + 1) / 2, received);
        Assert.Equal(n, returned.Value);
        Assert.Equal(0, s.AliveCount);
    }

    /// <summary>
    /// Bouncing is not a scheduling point: a million levels take the steps and leave the trace of ten levels, while
    /// another tasklet interleaves with both at every Schedule.
    /// </summary>
    [Fact]
    public void DeepRecursion_TakesTheSameStepsAndTrace_AsShallowRecursion()
    {
        static (long Steps, string[] Trace, List<string> Log) RunWith(int depth)
        {
            var s = new Scheduler { Trace = new TraceRecorder(1_000) };
            var c = new Channel<long>(s);
            var log = new List<string>();
            var returned = new StrongBox<int>();
            async TaskletBody Other()
            {
                for (var i = 0; i < 3; i++) { log.Add("other " + i); await s.Schedule(); }
            }
            async TaskletBody Deep()
            {
                log.Add("deep starts");
                await s.Schedule();
                log.Add("deep descends");
                await Sum(depth, 0, c, returned);
                log.Add("deep returned " + returned.Value);
                await s.Schedule();
                log.Add("deep ends");
            }
            async TaskletBody Receiver() => log.Add("received " + (await c.Receive() == (long)depth * (depth + 1) / 2));
            s.Spawn(Deep);
            s.Spawn(Other);
            s.Spawn(Receiver);
            s.Run();
            var trace = s.Trace!.Events.Select(e => $"{e.Step} {e.Reason} {e.Tasklet?.Name} {e.Partner?.Name}").ToArray();
            return (s.Steps, trace, log.Select(l => l.Replace(depth.ToString(), "N")).ToList());
        }

        var shallow = RunWith(10);
        var deep = RunWith(1_000_000);
        Assert.Equal(shallow.Steps, deep.Steps);
        Assert.Equal(shallow.Trace, deep.Trace);
        Assert.Equal(shallow.Log, deep.Log);
        Assert.Contains("received True", deep.Log);
        Assert.Contains("deep returned N", deep.Log);
    }

    [Fact]
    public void PastTheLimit_TheTaskletCatchesARecursionException_AndTheOthersCarryOn()
    {
        var s = new Scheduler { MaxRecursionDepth = 10_000 };
        var c = new Channel<int>(s);
        var log = new List<string>();
        async TaskletBody Bottomless(int n) => await Bottomless(n + 1);
        async TaskletBody Catcher()
        {
            try { await Bottomless(1); }
            catch (RecursionException e) { log.Add(e.Message); }
            // Its frames are back to one: a recursion to the limit again works.
            await Rec(s.MaxRecursionDepth - 2, c); // Catcher, then MaxRecursionDepth - 1 levels of Rec
            log.Add("catcher again at the limit");
        }
        async TaskletBody Other()
        {
            log.Add("other received " + await c.Receive());
        }
        s.Spawn(Catcher, "catcher");
        s.Spawn(Other);
        s.Run();
        Assert.Equal(
            ["maximum recursion depth exceeded in tasklet 'catcher' (10,000 nested bodies).", "other received 1", "catcher again at the limit"],
            log);
        Assert.Equal(0, s.AliveCount);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void PastTheLimit_Uncaught_ReachesMainFromRun_AndTheSchedulerStaysUsable()
    {
        var s = new Scheduler { MaxRecursionDepth = 1_000 };
        var c = new Channel<int>(s);
        var deep = s.Spawn(Rec, 1_000, c, "deep"); // 1,001 frames
        var other = s.Spawn(async () => await s.Schedule());
        var e = Assert.Throws<RecursionException>(() => s.Run());
        Assert.Equal("maximum recursion depth exceeded in tasklet 'deep' (1,000 nested bodies).", e.Message);
        Assert.False(deep.Alive);
        Assert.True(other.Alive);
        s.Run();
        Assert.False(other.Alive);
        var fits = s.Spawn(Rec, 999, c); // 1,000 frames: at the limit, not past it
        Assert.Equal(1, c.Receive().Value);
        s.Run();
        Assert.False(fits.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void Kill_FarDown_RunsTheFinallyOfEveryLevel()
    {
        const int n = 100_000;
        var s = new Scheduler();
        var c = new Channel<int>(s);
        var unwound = 0;
        async TaskletBody Down(int level)
        {
            try
            {
                if (level == 0) await c.Receive(); // blocks: nobody sends
                else await Down(level - 1);
            }
            finally { unwound++; }
        }
        var t = s.Spawn(Down, n);
        s.Run();
        Assert.True(t.Blocked);
        t.Kill();
        Assert.False(t.Alive);
        Assert.Equal(n + 1, unwound);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void MaxRecursionDepth_BelowOne_IsRejected()
    {
        var s = new Scheduler();
        Assert.Equal(10_000_000, s.MaxRecursionDepth);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.MaxRecursionDepth = 0);
    }

    /// <summary>
    /// A caller that calls two bodies before awaiting either, deep in the stack, still has them run in call order,
    /// each to its end before the next starts (as when they start synchronously).
    /// </summary>
    [Fact]
    public void DeepCallsAwaitedLater_RunInCallOrder()
    {
        var s = new Scheduler();
        var log = new List<int>();
        async TaskletBody Leaf(int i) { log.Add(i); await Noop(); }
#pragma warning disable CS1998 // a body that completes at once
        static async TaskletBody Noop() { }
#pragma warning restore CS1998
        async TaskletBody Down(int n)
        {
            if (n > 0) { await Down(n - 1); return; }
            var a = Leaf(1);
            var b = Leaf(2);
            await a;
            await b;
            await Leaf(3);
        }
        s.Spawn(Down, 100_000);
        s.Run();
        Assert.Equal([1, 2, 3], log);
    }

    [Fact]
    public void DeepInTheStack_AnOperationStartedBeforeAwaitingACalledBody_IsAnError()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody Later()
        {
            log.Add("later ran");
            await s.Schedule();
        }
        async TaskletBody Down(int n)
        {
            if (n > 0) { await Down(n - 1); return; }
            var later = Later(); // deep enough: bounced, not started
            await s.Schedule();
            await later;
        }
        var t = s.Spawn(Down, 100_000, "misuser");
        var e = Assert.Throws<InvalidOperationException>(() => s.Run());
        Assert.StartsWith("misuser called an async TaskletBody deep in the stack and switched before awaiting it", e.Message);
        Assert.False(t.Alive);
        Assert.Equal(["later ran"], log); // as when it starts where it is called
        Health.AssertStillWorks(s);
    }

    /// <summary>
    /// An operation from far down a body's plain-method recursion, past the 1 MiB window of the stack compare, is the
    /// tasklet's, not another thread's. On a thread of its own with an 8 MiB stack, as a process's main thread has.
    /// </summary>
    [Fact]
    public void AnOperationFarDownThePlainStack_IsTheTasklets()
    {
        var s = new Scheduler();
        var c = new Channel<int>(s);
        // Plain methods (not bodies) recurse on the thread's stack: 4,000 levels of a frame with a 512-byte buffer
        // put the Send some 2 MiB down.
        static Operation Down(int n, Channel<int> c)
        {
            Span<byte> pad = stackalloc byte[512];
            pad[n & 511] = 1;
            return n == 0 ? c.Send(pad[0] + 41) : Down(n - 1, c);
        }
        Exception? error = null;
        var received = 0;
        var thread = new Thread(() =>
        {
            try
            {
                var sent = s.Spawn(async () => await Down(4_000, c));
                received = c.Receive().Value;
                s.Run();
                Assert.False(sent.Alive);
            }
            catch (Exception e) { error = e; }
        }, maxStackSize: 8 << 20);
        thread.Start();
        thread.Join();
        Assert.Null(error);
        Assert.Equal(42, received);
    }
}

/// <summary>Memory measured over the whole process: run alone, not beside other tests that allocate.</summary>
[CollectionDefinition(nameof(RecursionMemoryCollection), DisableParallelization = true)]
public class RecursionMemoryCollection;

[Collection(nameof(RecursionMemoryCollection))]
public class RecursionMemoryTests
{
    private static async TaskletBody Hold(int n, object held, Channel<int> c)
    {
        if (n == 0) { await c.Send(1); return; }
        await Hold(n - 1, held, c);
    }

    [Fact]
    public void AfterAMillionLevels_TheFramesAreCollected_AndMemoryIsBackToBaseline()
    {
        const int n = 1_000_000;
        var s = new Scheduler();
        var c = new Channel<int>(s);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var weak = SpawnHolding(s, n, c);
        s.Run(); // the recursion descends and blocks at the bottom, sending
        var deep = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(deep - baseline > 40L * n, $"a million blocked levels hold {deep - baseline:N0} bytes");
        Assert.True(weak.IsAlive, "the frames hold the object passed down");
        Assert.Equal(1, c.Receive().Value);
        s.Run();
        Assert.Equal(0, s.AliveCount);
        GcAssert.Collected(weak, "no frame of the ended recursion is left");
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(after - baseline < 1L << 20, $"{after - baseline:N0} bytes left after the recursion ended (it held {deep - baseline:N0})");
        GC.KeepAlive(s);
    }

    private static WeakReference SpawnHolding(Scheduler s, int n, Channel<int> c)
    {
        var held = new object();
        s.Spawn(Hold, n, held, c);
        return new WeakReference(held);
    }
}
