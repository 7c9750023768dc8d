using System.Runtime.CompilerServices;

namespace StacklessInteractive.Tests;

/// <summary>One scheduler driven from several threads: one after the other works, at the same time fails cleanly.</summary>
public class ThreadingTests
{
    [Fact]
    public async Task CellLikeSequence_OnThreadPoolThreads_KeepsWorking_AndSeesTheSameCurrentAndMain()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var main = s.Main;
        var log = new List<string>();
        async TaskletBody Producer()
        {
            for (var i = 1; i <= 4; i++) { log.Add("send " + i); await ch.Send(i); }
            log.Add("producer done");
        }

        var cell1 = await Task.Run(() =>
        {
            s.Spawn(Producer);
            return (ch.Receive().Value, s.Current, s.Main);
        });
        var cell2 = await Task.Run(() => (ch.Receive().Value, s.Current, s.Main));
        var cell3 = await Task.Run(() => { s.Run(); return (ch.Balance, s.Current, s.Main); });
        var cell4 = await Task.Run(() => (ch.Receive().Value, s.Current, s.Main));
        var cell5 = await Task.Run(() => { s.Run(); return (s.AliveCount, s.Current, s.Main); });
        var cell6 = await Task.Run(() => { var v = ch.Receive().Value; s.Run(); return (v, s.AliveCount, s.Current); });

        Assert.Equal((1, main, main), cell1);
        Assert.Equal((2, main, main), cell2);
        Assert.Equal((1, main, main), cell3); // balance 1: the producer blocked sending 3
        Assert.Equal((3, main, main), cell4);
        Assert.Equal((1, main, main), cell5); // one alive: it blocked sending 4
        Assert.Equal((4, 0, main), cell6);
        Assert.Equal(new[] { "send 1", "send 2", "send 3", "send 4", "producer done" }, log);
    }

    [Fact]
    public void CellLikeSequence_OnDistinctThreads_AMainOperationStartedOnOneThreadIsContinuedOnAnother()
    {
        var s = new Scheduler();
        var ch = new Channel<string>(s);
        var stepThreads = new List<int>();
        var seenBy = new List<string>();
        async TaskletBody Echo()
        {
            while (true)
            {
                var x = await ch.Receive();
                stepThreads.Add(Environment.CurrentManagedThreadId);
                seenBy.Add(x);
                await ch.Send(x.ToUpperInvariant());
            }
        }

        // Each cell runs on its own thread; the threads stay alive until the end so their ids are distinct.
        using var release = new ManualResetEventSlim();
        var cells = new List<Thread>();
        T Cell<T>(Func<T> f)
        {
            T result = default!;
            Exception? error = null;
            using var done = new ManualResetEventSlim();
            var thread = new Thread(() =>
            {
                try { result = f(); }
                catch (Exception e) { error = e; }
                done.Set();
                release.Wait();
            });
            cells.Add(thread);
            thread.Start();
            done.Wait();
            if (error is not null) throw new InvalidOperationException("the cell failed", error);
            return result;
        }

        try
        {
            var echo = Cell(() => s.Spawn(Echo, "echo"));
            var mainThreads = new List<int>();
            foreach (var word in new[] { "one", "two", "three" })
            {
                var reply = Cell(() =>
                {
                    mainThreads.Add(Environment.CurrentManagedThreadId);
                    ch.Send(word);
                    return (ch.Receive().Value, s.Current);
                });
                Assert.Equal((word.ToUpperInvariant(), s.Main), reply);
            }
            Assert.Equal(3, mainThreads.Distinct().Count());
            Assert.Equal(new[] { "one", "two", "three" }, seenBy);
            Assert.Equal(mainThreads, stepThreads); // each step of echo ran on the thread driving main at the time
            Assert.Equal(TaskletState.Runnable, echo.State);
            Cell(() => { echo.Kill(); return 0; });
            Assert.False(echo.Alive);
            Assert.Same(s.Main, s.Current);
        }
        finally
        {
            release.Set();
            foreach (var t in cells) t.Join();
        }
    }

    /// <summary>
    /// Runs <paramref name="intruder"/> on another thread while a tasklet of <paramref name="s"/> is in the middle of
    /// its step on this thread (the tasklet waits for the other thread), and returns what the intruder threw.
    /// </summary>
    private static Exception? IntrudeDuringAStep(Scheduler s, Action intruder)
    {
        Exception? caught = null;
        void Body()
        {
            var other = new Thread(() =>
            {
                try { intruder(); }
                catch (Exception e) { caught = e; }
            });
            other.Start();
            other.Join();
        }
        s.SpawnAction(Body);
        s.Run();
        return caught;
    }

    [Fact]
    public void SecondThreadCallingRun_WhileTheLoopRuns_GetsInvalidOperationException()
    {
        var s = new Scheduler();
        var e = IntrudeDuringAStep(s, () => s.Run());
        var ioe = Assert.IsType<InvalidOperationException>(e);
        Assert.Contains("one caller at a time", ioe.Message);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SecondThreadReceiving_WhileTheLoopRuns_GetsInvalidOperationException()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var e = IntrudeDuringAStep(s, () => ch.Receive());
        var ioe = Assert.IsType<InvalidOperationException>(e);
        Assert.Contains("one caller at a time", ioe.Message);
        Assert.Equal(0, ch.Balance);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SecondThreadScheduling_WhileTheLoopRuns_GetsInvalidOperationException()
    {
        var s = new Scheduler();
        var e = IntrudeDuringAStep(s, () => s.Schedule());
        Assert.Contains("one caller at a time", Assert.IsType<InvalidOperationException>(e).Message);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SecondThreadSpawning_WhileTheLoopRuns_GetsInvalidOperationException()
    {
        var s = new Scheduler();
        var e = IntrudeDuringAStep(s, () => s.SpawnAction(() => { }));
        Assert.Contains("one caller at a time", Assert.IsType<InvalidOperationException>(e).Message);
        Assert.Equal(0, s.AliveCount);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SecondThreadKilling_WhileTheLoopRuns_GetsInvalidOperationException_AndTheVictimLives()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var victim = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        var e = IntrudeDuringAStep(s, () => victim.Kill());
        Assert.Contains("one caller at a time", Assert.IsType<InvalidOperationException>(e).Message);
        Assert.True(victim.Blocked);
        Assert.Equal(-1, ch.Balance);
        ch.Send(1);
        Assert.False(victim.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SecondThreadInsertingOrRemoving_WhileTheLoopRuns_GetsInvalidOperationException()
    {
        var s = new Scheduler();
        var paused = s.SpawnAction(() => { });
        paused.Remove();
        var e = IntrudeDuringAStep(s, () => paused.Insert());
        Assert.Contains("one caller at a time", Assert.IsType<InvalidOperationException>(e).Message);
        Assert.True(paused.Paused);
        paused.Insert();
        s.Run();
        Assert.False(paused.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SecondThreadUsingItsOwnScheduler_WhileTheLoopRuns_IsUnaffected()
    {
        var s = new Scheduler();
        var other = new Scheduler();
        var got = 0;
        var e = IntrudeDuringAStep(s, () =>
        {
            var ch = new Channel<int>(other);
            other.Spawn(async () => { await ch.Send(9); });
            got = ch.Receive().Value;
        });
        Assert.Null(e);
        Assert.Equal(9, got);
        Assert.Equal(1, other.AliveCount); // the sender, queued behind the other thread's main
        other.Run();
        Health.AssertStillWorks(s);
        Health.AssertStillWorks(other);
    }

    // An operation that suspended names its scheduler by a weak GC handle, not a reference, and finds the tasklet
    // to resume as that scheduler's current one. These tests pin down what that must keep true.

    [Fact]
    public void Operations_HoldNoGcReference_SoTheStateMachineCopiesThemWithoutAWriteBarrier()
    {
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<Operation>());
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<Operation<int>>());
    }

    [Fact]
    public void AScheduler_NoLongerReferenced_IsCollected_ItsHandleKeepsNothingAlive()
    {
        GcAssert.Collected(UseAndDropAScheduler(), "nothing keeps a dropped scheduler alive, the handle in its suspended operations included");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference UseAndDropAScheduler()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        s.Spawn(async () => { await ch.Send(1); await ch.Send(2); });
        Assert.Equal(1, ch.Receive().Value); // a suspended operation of s exists, in the tasklet's body
        return new WeakReference(s);
    }

    [Fact]
    public void ATaskletDrivingAnotherScheduler_ResumesAsItself_AndTheOtherSchedulersTaskletsAsThemselves()
    {
        var outer = new Scheduler();
        var inner = new Scheduler();
        var outerCh = new Channel<string>(outer);
        var innerCh = new Channel<string>(inner);
        var log = new List<string>();
        inner.Spawn(async () =>
        {
            await innerCh.Send("inner 1");
            log.Add("inner sender resumed");
            await innerCh.Send("inner 2");
        }, "inner sender");
        outer.Spawn(async () =>
        {
            log.Add(innerCh.Receive().Value!);       // this tasklet is the inner scheduler's main: a nested loop
            log.Add(await outerCh.Receive() + " to " + outer.Current.Name);
            log.Add(innerCh.Receive().Value!);
        }, "outer receiver");
        outer.Spawn(async () => { await outerCh.Send("outer 1"); }, "outer sender");
        outer.Run();
        inner.Run();
        Assert.Equal(new[] { "inner 1", "outer 1 to outer receiver", "inner sender resumed", "inner 2" }, log);
        Assert.Equal(0, outer.AliveCount);
        Assert.Equal(0, inner.AliveCount);
    }

    [Fact]
    public async Task TwoSchedulersRunningAtOnceOnTwoThreads_EachResumesItsOwnTasklets()
    {
        static long PingPong(int n)
        {
            var s = new Scheduler();
            var there = new Channel<int>(s);
            var back = new Channel<int>(s);
            long sum = 0;
            s.Spawn(async () => { for (var i = 0; i < n; i++) { await there.Send(i); sum += await back.Receive(); } });
            s.Spawn(async () => { for (var i = 0; i < n; i++) await back.Send(await there.Receive() * 2); });
            s.Run();
            return s.AliveCount == 0 ? sum : -1;
        }
        const int n = 200_000;
        var runs = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() => PingPong(n), TaskCreationOptions.LongRunning)).ToArray();
        var sums = await Task.WhenAll(runs);
        Assert.All(sums, sum => Assert.Equal((long)n * (n - 1), sum));
    }
}
