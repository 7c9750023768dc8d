namespace StacklessInteractive.Tests;

/// <summary>BlockOn: a tasklet waits on a Task (I/O, a timer) while the others run; the talk's blockOn.</summary>
public class BlockOnTests
{
    /// <summary>Completes <paramref name="source"/> from a thread-pool thread, as I/O completions arrive.</summary>
    private static void CompleteElsewhere<T>(TaskCompletionSource<T> source, T value) =>
        Task.Run(async () => { await Task.Delay(20); source.SetResult(value); });

    [Fact]
    public void BlockOn_GivesTheTaskResult_WhileTheOtherTaskletsRun()
    {
        var s = new Scheduler();
        var log = new List<string>();
        var io = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        async TaskletBody Fetcher() => log.Add("fetched " + await s.BlockOn(io.Task));
        async TaskletBody Worker()
        {
            for (var i = 0; i < 3; i++) { log.Add("work " + i); await s.Schedule(); }
            CompleteElsewhere(io, "page");
        }
        var fetcher = s.Spawn(Fetcher);
        var worker = s.Spawn(Worker);
        Assert.Same(worker, s.Run(3)); // the watchdog pauses the worker after its second yield
        Assert.Equal(TaskletState.WaitingIO, fetcher.State);
        worker.Insert();
        Assert.True(fetcher.Blocked);
        Assert.Equal(1, s.WaitingIOCount);
        s.Run(); // returns only once the fetch completed: the scheduler waits for it
        Assert.Equal(new[] { "work 0", "work 1", "work 2", "fetched page" }, log);
        Assert.Equal(0, s.WaitingIOCount);
        Assert.False(fetcher.Alive);
    }

    [Fact]
    public void BlockOn_WhenOnlyIOIsLeft_SleepsUntilACompletionInsteadOfSpinning()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var done = false;
        async TaskletBody Sleeper()
        {
            await s.BlockOn(Task.Delay(50));
            done = true;
        }
        s.Spawn(Sleeper);
        s.Run();
        Assert.True(done);
        Assert.Equal(2, s.Steps); // one step to start waiting, one after the completion: no busy loop
        var reasons = s.Trace.Events.Select(e => e.Reason).ToList();
        Assert.Equal(new[] { TraceReason.Spawn, TraceReason.Run, TraceReason.BlockIO, TraceReason.IdleWait,
            TraceReason.UnblockIO, TraceReason.Run, TraceReason.Exit }, reasons);
    }

    private static async Task<int> Fail()
    {
        await Task.Delay(10);
        throw new TestError("io failed");
    }

    [Fact]
    public void BlockOn_RaisesTheTaskException_InTheWaitingTasklet()
    {
        var s = new Scheduler();
        Exception? caught = null;
        async TaskletBody Failing()
        {
            try { await s.BlockOn(Task.Run(Fail)); }
            catch (TestError e) { caught = e; }
        }
        s.Spawn(Failing);
        s.Run();
        Assert.Equal("io failed", caught?.Message);
    }

    [Fact]
    public void BlockOn_OfAFailingTaskWithoutResult_RaisesInTheWaitingTasklet_AndNowhereElse()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async Task FailPlain()
        {
            await Task.Delay(10);
            throw new TestError("io failed");
        }
        async TaskletBody Failing()
        {
            try { await s.BlockOn(FailPlain()); log.Add("no exception"); }
            catch (TestError e) { log.Add("caught " + e.Message); }
            var ch = new Channel<bool>(s);
            s.Spawn(async () => await ch.Send(true));
            log.Add("received " + await ch.Receive()); // the error must not wait here for the next typed receive
        }
        s.Spawn(Failing);
        s.Run();
        Assert.Equal(new[] { "caught io failed", "received True" }, log);
    }

    [Fact]
    public void BlockOn_ResumesTaskletsInTheOrderTheirTasksComplete()
    {
        var s = new Scheduler();
        var sources = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var order = new List<int>();
        async TaskletBody Waiter(int i) => order.Add(await s.BlockOn(sources[i].Task));
        for (var i = 0; i < 5; i++) s.Spawn(Waiter, i);
        s.Run(5); // all five wait
        var completionOrder = new[] { 3, 0, 4, 1, 2 };
        var completer = new Thread(() => { foreach (var i in completionOrder) { sources[i].SetResult(i); Thread.Sleep(5); } });
        completer.Start();
        completer.Join(); // every completion is queued before the loop takes any
        s.Run();
        Assert.Equal(completionOrder, order);
    }

    [Fact]
    public void BlockOn_FromMain_RunsTheOthersUntilTheTaskCompletes()
    {
        var s = new Scheduler();
        var ticks = 0;
        var io = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        async TaskletBody Ticker()
        {
            for (var i = 0; i < 3; i++) { ticks++; await s.Schedule(); }
            CompleteElsewhere(io, 42);
        }
        s.Spawn(Ticker);
        Assert.Equal(42, s.BlockOn(io.Task).Value);
        Assert.Equal(3, ticks);
        Assert.True(s.Main.IsCurrent);
    }

    [Fact]
    public void BlockOn_ACompletedTask_ReturnsAtOnceWithoutSwitching()
    {
        var s = new Scheduler();
        int? got = null;
        var stepsBefore = 0L;
        async TaskletBody Body()
        {
            stepsBefore = s.Steps;
            got = await s.BlockOn(Task.FromResult(5));
            Assert.Equal(stepsBefore, s.Steps);
        }
        s.Spawn(Body);
        s.Run();
        Assert.Equal(5, got);
        Assert.Equal(1, s.Steps);
    }

    [Fact]
    public void Kill_OfATaskletWaitingOnIO_EndsItAndIgnoresTheLaterCompletion()
    {
        var s = new Scheduler();
        var io = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cleanedUp = false;
        async TaskletBody Waiter()
        {
            try { await s.BlockOn(io.Task); }
            finally { cleanedUp = true; }
        }
        var t = s.Spawn(Waiter);
        s.Run(1);
        Assert.Equal(1, s.WaitingIOCount);
        t.Kill();
        Assert.True(cleanedUp);
        Assert.False(t.Alive);
        Assert.Equal(0, s.WaitingIOCount);
        io.SetResult(1);
        Thread.Sleep(20);
        s.Run(); // the stale completion is dropped, nothing runs
        Assert.Equal(0, s.AliveCount);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void BlockingOnAChannel_WhileAnotherTaskletWaitsOnIO_IsNoDeadlock()
    {
        var s = new Scheduler();
        var ch = new Channel<string>(s);
        string? got = null;
        async TaskletBody Receiver() => got = await ch.Receive();
        async TaskletBody Producer()
        {
            await s.BlockOn(Task.Delay(20));
            await ch.Send("after io");
        }
        s.Spawn(Producer);
        s.Spawn(Receiver);
        s.Run();
        Assert.Equal("after io", got);
        var report = s.GetDeadlockReport();
        Assert.False(report.IsDeadlock);
        Assert.Empty(report.Blocked);
    }

    [Fact]
    public void MainReceiving_WhileATaskletWaitsOnIO_WaitsInsteadOfReportingDeadlock()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        async TaskletBody Producer()
        {
            await s.BlockOn(Task.Delay(20));
            await ch.Send(7);
        }
        s.Spawn(Producer);
        Assert.Equal(7, ch.Receive().Value);
    }
}
