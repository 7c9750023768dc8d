namespace StacklessInteractive.Tests;

/// <summary>The scheduler: schedule/schedule_remove, the watchdog, atomic, errors, main's blocking operations, deadlock.</summary>
public class SchedulerTests
{
    // ---- schedule / schedule_remove -----------------------------------------------------------

    [Fact]
    public void Schedule_GoesRoundRobin_WithTaskletsOfDifferentLengths()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody W(string name, int rounds)
        {
            for (var i = 0; i < rounds; i++) { log.Add(name + i); await s.Schedule(); }
        }
        s.Spawn(W, "a", 1);
        s.Spawn(W, "b", 3);
        s.Spawn(W, "c", 2);
        s.Run();
        Assert.Equal(new[] { "a0", "b0", "c0", "b1", "c1", "b2" }, log);
    }

    [Fact]
    public void Schedule_OfTheOnlyRunnableTasklet_ContinuesIt()
    {
        var s = new Scheduler();
        var count = 0;
        async TaskletBody Alone() { for (var i = 0; i < 3; i++) { count++; await s.Schedule(); } }
        var t = s.Spawn(Alone);
        s.Run();
        Assert.Equal(3, count);
        Assert.Equal(4, t.Steps);
    }

    [Fact]
    public void ScheduleRemove_PausesTheCaller_UntilInsert()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody Pauser() { log.Add("p1"); await s.ScheduleRemove(); log.Add("p2"); }
        var p = s.Spawn(Pauser);
        s.SpawnAction(() => log.Add("other"));
        s.Run();
        Assert.Equal(new[] { "p1", "other" }, log);
        Assert.True(p.Paused);
        Assert.Equal(TaskletState.Paused, p.State);
        Assert.True(p.Alive);
        p.Insert();
        s.Run();
        Assert.Equal(new[] { "p1", "other", "p2" }, log);
        Assert.False(p.Alive);
    }

    [Fact]
    public void ScheduleRemove_OfTheLastRunnableTaskletDuringRun_MakesRunReturn()
    {
        var s = new Scheduler();
        var p = s.Spawn(async () => { await s.ScheduleRemove(); });
        s.Run();
        Assert.True(p.Paused);
        Assert.Same(s.Main, s.Current);
    }

    // ---- watchdog -----------------------------------------------------------------------------

    [Fact]
    public void RunWithMaxSteps_ReturnsTheInterruptedBusyTasklet_PausedUntilInsert_AndALaterRunContinuesIt()
    {
        var s = new Scheduler();
        var count = 0;
        async TaskletBody Busy() { for (var i = 0; i < 5; i++) { count++; await s.Schedule(); } }
        var t = s.Spawn(Busy);
        var interrupted = s.Run(3);
        Assert.Same(t, interrupted);
        Assert.Equal(3, count);
        Assert.True(t.Paused);
        Assert.Equal(TaskletState.Paused, t.State);
        Assert.Empty(s.RunQueue);
        Assert.Equal(1, s.RunCount);

        s.Run(); // paused: it does not run
        Assert.Equal(3, count);

        t.Insert();
        Assert.Null(s.Run(100));
        Assert.Equal(5, count);
        Assert.False(t.Alive);
    }

    [Fact]
    public void RunWithMaxSteps_CountsStepsOverAllTasklets_AndLeavesTheOthersRunnable()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody Busy(string name) { for (var i = 0; i < 10; i++) { log.Add(name + i); await s.Schedule(); } }
        var a = s.Spawn(Busy, "a");
        var b = s.Spawn(Busy, "b");
        var interrupted = s.Run(3);
        Assert.Same(a, interrupted);
        Assert.Equal(new[] { "a0", "b0", "a1" }, log);
        Assert.True(a.Paused);
        Assert.Equal(TaskletState.Runnable, b.State);
        Assert.Equal(new[] { b }, s.RunQueue);
    }

    [Fact]
    public void RunWithMaxSteps_ReturnsNull_WhenEverythingFinishesInTime()
    {
        var s = new Scheduler();
        var t = s.Spawn(async () => { await s.Schedule(); });
        Assert.Null(s.Run(10));
        Assert.False(t.Alive);
    }

    [Fact]
    public void RunWithNegativeMaxSteps_Throws()
    {
        var s = new Scheduler();
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Run(-1));
        s.SpawnAction(() => { });
        s.Run();
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void SoftRun_StopsAfterTheSteps_AndLeavesTheRunQueueAsTheScheduleLeftIt()
    {
        // Stepping one step at a time with the soft form gives the same order as one Run(); nothing is paused.
        string Trace(Action<Scheduler> drive)
        {
            var s = new Scheduler();
            var log = new List<string>();
            var ch = new Channel<int>(s) { Preference = 1 };
            async TaskletBody Producer() { for (var i = 0; i < 3; i++) { log.Add("send" + i); await ch.Send(i); } }
            async TaskletBody Consumer() { for (var i = 0; i < 3; i++) log.Add("got" + await ch.Receive()); }
            async TaskletBody Other() { for (var i = 0; i < 3; i++) { log.Add("other" + i); await s.Schedule(); } }
            s.Spawn(Consumer); s.Spawn(Producer); s.Spawn(Other);
            drive(s);
            Assert.Equal(0, s.AliveCount);
            return string.Join(" ", log);
        }
        var whole = Trace(s => s.Run());
        var stepped = Trace(s =>
        {
            var steps = 0;
            while (s.RunCount > 1 || s.Tasklets.Count > 0)
            {
                var before = s.Steps;
                Assert.Null(s.Run(1, soft: true));
                Assert.Equal(before + 1, s.Steps);
                Assert.All(s.Tasklets, t => Assert.False(t.Paused));
                Assert.True(++steps < 100, "the program ends");
            }
        });
        Assert.Equal(whole, stepped);
    }

    [Fact]
    public void ResetDefault_InstallsAFreshScheduler_WithIdsFromZero()
    {
        var before = Scheduler.Default;
        var fresh = Scheduler.ResetDefault();
        Assert.NotSame(before, fresh);
        Assert.Same(fresh, Scheduler.Default);
        Assert.Equal(0, fresh.Main.Id);
        Assert.Equal(1, fresh.SpawnAction(() => { }).Id);
        fresh.Run();
    }

    [Fact]
    public void ResetDefault_KillsTheOldTasklets_AndTheirFinallyBlocksRun()
    {
        var old = Scheduler.ResetDefault(); // a default of this test's own
        var ch = new Channel<int>(name: "a");
        var log = new List<string>();
        old.Spawn(async () => { try { await ch.Receive(); log.Add("reader got a value"); } finally { log.Add("reader finally"); } }, "reader");
        old.Spawn(async () => { try { await old.ScheduleRemove(); } finally { log.Add("paused finally"); } }, "paused");
        old.Spawn(async () => { try { await old.Schedule(); } finally { log.Add("never started finally"); } }, "queued");
        old.Run(3, soft: true); // reader blocks, paused pauses, queued yields once
        var fresh = Scheduler.ResetDefault("#!stackless-reset");
        Assert.Equal(new[] { "reader finally", "paused finally", "never started finally" }, log);
        Assert.Equal(0, old.AliveCount);
        Assert.True(old.Replaced);
        Assert.False(fresh.Replaced);
        Assert.Equal(0, ch.Balance);
    }

    [Fact]
    public void ResetDefault_AnyLaterUseOfAnOldChannelOrTasklet_Raises()
    {
        Scheduler.ResetDefault();
        var ch = new Channel<int>(name: "a");
        var t = Scheduler.Default.Spawn(async () => { await ch.Receive(); }, "reader");
        var paused = Scheduler.Default.Spawn(async () => { await Scheduler.Default.Schedule(); }, "paused");
        paused.Remove();
        Scheduler.Default.Run();
        var fresh = Scheduler.ResetDefault("#!stackless-reset");

        var fromMain = Assert.Throws<SchedulerReplacedException>(() => ch.Send(99));
        Assert.Equal("channel 'a' belongs to a scheduler that #!stackless-reset replaced; create it again", fromMain.Message);
        Assert.Throws<SchedulerReplacedException>(() => ch.Receive());
        Assert.Equal("tasklet 'reader' belongs to a scheduler that #!stackless-reset replaced; create it again",
            Assert.Throws<SchedulerReplacedException>(() => t.Insert()).Message);
        Assert.Throws<SchedulerReplacedException>(() => paused.Kill());
        Assert.Throws<SchedulerReplacedException>(() => paused.Run());
        Assert.Throws<SchedulerReplacedException>(() => t.Throw(new TestError("x")));
        Assert.Throws<SchedulerReplacedException>(() => t.Remove());
        Assert.Throws<SchedulerReplacedException>(() => t.Bind(() => { }));

        // A tasklet of the new scheduler using the old channel raises at once, naming the channel, not itself.
        Exception? seen = null;
        fresh.Spawn(async () => { try { await ch.Send(99); } catch (Exception e) { seen = e; } }, "counter");
        fresh.Run();
        Assert.IsType<SchedulerReplacedException>(seen);
        Assert.StartsWith("channel 'a' belongs to a scheduler", seen!.Message);
        Health.AssertStillWorks(fresh);
    }

    [Fact]
    public void ResetDefault_WhileARunIsUnderWay_RaisesAClearError()
    {
        var s = Scheduler.ResetDefault();
        Exception? fromTasklet = null;
        s.Spawn(async () =>
        {
            try { Scheduler.ResetDefault("#!stackless-reset"); } catch (Exception e) { fromTasklet = e; }
            await s.Schedule();
        }, "resetter");
        s.Run();
        Assert.Same(s, Scheduler.Default);
        Assert.Equal("#!stackless-reset cannot replace the scheduler while it runs (asked by tasklet resetter); do it once the run has returned.",
            Assert.IsType<InvalidOperationException>(fromTasklet).Message);

        // From another thread while main's operation runs the loop.
        var ch = new Channel<int>(s);
        using var inLoop = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        s.Spawn(async () => { inLoop.Set(); release.Wait(); await ch.Send(1); });
        Exception? fromOtherThread = null;
        var other = new Thread(() =>
        {
            inLoop.Wait();
            try { Scheduler.ResetDefault(); } catch (Exception e) { fromOtherThread = e; }
            release.Set();
        });
        other.Start();
        Assert.Equal(1, ch.Receive().Value);
        other.Join();
        Assert.Contains("cannot replace the scheduler while it runs (a run or an operation of main is under way)",
            Assert.IsType<InvalidOperationException>(fromOtherThread).Message);
        Assert.Same(s, Scheduler.Default);
        Scheduler.ResetDefault();
    }

    [Fact]
    public void Preempt_EndsTheRun_PausesTheCaller_AndInsertContinuesIt()
    {
        foreach (var soft in new[] { false, true })
        {
            var s = new Scheduler { Trace = new TraceRecorder(100) };
            var log = new List<string>();
            async TaskletBody Runaway()
            {
                for (var i = 0; i < 3; i++)
                {
                    log.Add("r" + i);
                    await s.Preempt();
                }
            }
            var r = s.Spawn(Runaway, "runaway");
            s.Spawn(async () => { log.Add("o1"); await s.Schedule(); log.Add("o2"); }, "other");
            Assert.Same(r, s.Run(100, soft));
            Assert.Equal(new[] { "r0" }, log);
            Assert.True(r.Paused, $"soft={soft}");
            Assert.Equal(1, s.Steps);
            Assert.Same(s.Main, s.Current);
            Assert.Equal(TraceReason.Interrupted, s.Trace!.Events[^1].Reason);
            Assert.Equal(new[] { "other" }, s.RunQueue.Select(t => t.Name));
            r.Insert();
            Assert.Same(r, s.Run(100, soft));
            Assert.Equal(new[] { "r0", "o1", "r1" }, log);
            r.Insert();
            Assert.Same(r, s.Run(long.MaxValue, soft));
            r.Insert();
            Assert.Null(s.Run(100, soft));
            Assert.Equal(new[] { "r0", "o1", "r1", "o2", "r2" }, log);
            Assert.False(r.Alive);
            Health.AssertStillWorks(s);
        }
    }

    [Fact]
    public void Preempt_Wherever_ItCannotEndARun_DoesNothing()
    {
        var s = new Scheduler();
        Assert.True(s.Preempt().IsCompleted); // main
        var ch = new Channel<int>(s);
        var completed = new List<bool>();
        s.Spawn(async () =>
        {
            var op = s.Preempt(); // a step of main's Receive, not of a Run
            completed.Add(op.IsCompleted);
            await op;
            await ch.Send(7);
        });
        Assert.Equal(7, ch.Receive().Value);
        Assert.Equal(new[] { true }, completed);
        s.Run();
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void Atomic_PreventsTheWatchdogFromInterrupting()
    {
        var s = new Scheduler();
        var count = 0;
        async TaskletBody Critical()
        {
            s.Current.Atomic = true;
            for (var i = 0; i < 5; i++) { count++; await s.Schedule(); }
            s.Current.Atomic = false;
            for (var i = 0; i < 5; i++) { count++; await s.Schedule(); }
        }
        var t = s.Spawn(Critical);
        var interrupted = s.Run(2);
        // Not interrupted while atomic (5 steps), then at the first step boundary after it cleared atomic.
        Assert.Same(t, interrupted);
        Assert.Equal(6, count);
        Assert.Equal(6, t.Steps);
        Assert.True(t.Paused);
    }

    [Fact]
    public void SetAtomic_ReturnsTheOldValue()
    {
        var s = new Scheduler();
        var t = s.SpawnAction(() => { });
        Assert.False(t.SetAtomic(true));
        Assert.True(t.Atomic);
        Assert.True(t.SetAtomic(false));
        Assert.False(t.Atomic);
    }

    [Fact]
    public void WithoutAtomic_TheSameTaskletIsInterruptedAtTheLimit()
    {
        var s = new Scheduler();
        var count = 0;
        async TaskletBody Busy() { for (var i = 0; i < 10; i++) { count++; await s.Schedule(); } }
        s.Spawn(Busy);
        Assert.NotNull(s.Run(2));
        Assert.Equal(2, count);
    }

    // ---- errors -------------------------------------------------------------------------------

    [Fact]
    public void ExceptionEscapingATasklet_ComesOutOfRun_TheOthersStayRunnable_AndALaterRunContinuesThem()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody Failing() { log.Add("f1"); await s.Schedule(); throw new TestError("boom"); }
        async TaskletBody Other() { for (var i = 0; i < 3; i++) { log.Add("o" + i); await s.Schedule(); } }
        var f = s.Spawn(Failing);
        var o = s.Spawn(Other);
        var e = Assert.Throws<TestError>(() => s.Run());
        Assert.Equal("boom", e.Message);
        Assert.Equal(new[] { "f1", "o0" }, log);
        Assert.Equal(TaskletState.Dead, f.State);
        Assert.Equal(TaskletState.Runnable, o.State);
        Assert.Equal(new[] { o }, s.RunQueue);
        Assert.Same(s.Main, s.Current);
        Assert.Equal(TaskletState.Current, s.Main.State);

        s.Run();
        Assert.Equal(new[] { "f1", "o0", "o1", "o2" }, log);
        Assert.False(o.Alive);
    }

    [Fact]
    public void ExceptionEscapingAnActionBody_ComesOutOfRun()
    {
        var s = new Scheduler();
        var t = s.SpawnAction(() => throw new TestError("from action"));
        var e = Assert.Throws<TestError>(() => s.Run());
        Assert.Equal("from action", e.Message);
        Assert.False(t.Alive);
    }

    [Fact]
    public void ErrorHandler_ReceivesTheDyingTaskletAndItsException_AndRunCarriesOn()
    {
        var s = new Scheduler();
        var log = new List<string>();
        var handled = new List<(Tasklet Tasklet, Exception Error, Tasklet Current)>();
        s.ErrorHandler = (t, e) => handled.Add((t, e, s.Current));
        var error = new TestError("boom");
        async TaskletBody Failing() { log.Add("f1"); await s.Schedule(); throw error; }
        async TaskletBody Other() { for (var i = 0; i < 3; i++) { log.Add("o" + i); await s.Schedule(); } }
        var f = s.Spawn(Failing);
        s.Spawn(Other);
        s.Run();
        Assert.Equal(new[] { "f1", "o0", "o1", "o2" }, log);
        var (who, what, current) = Assert.Single(handled);
        Assert.Same(f, who);
        Assert.Same(error, what);
        Assert.Same(f, current); // Stackless calls the handler in the context of the dying tasklet
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void ErrorHandler_ThatThrows_SendsItsExceptionOutOfRun()
    {
        var s = new Scheduler();
        s.ErrorHandler = (t, e) => throw new TestError("handler: " + e.Message);
        var f = s.SpawnAction(() => throw new TestError("boom"));
        var other = s.SpawnAction(() => { });
        var e = Assert.Throws<TestError>(() => s.Run());
        Assert.Equal("handler: boom", e.Message);
        Assert.False(f.Alive);
        Assert.Equal(new[] { other }, s.RunQueue);
        s.Run();
        Assert.False(other.Alive);
    }

    // ---- main's blocking operations ------------------------------------------------------------

    [Fact]
    public void MainReceive_RunsTheOthersUntilASenderArrives()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var log = new List<string>();
        s.SpawnAction(() => log.Add("x"));
        async TaskletBody Producer() { log.Add("p before"); await ch.Send(7); log.Add("p after"); }
        var p = s.Spawn(Producer);
        Assert.Equal(7, ch.Receive().Value);
        Assert.Equal(new[] { "x", "p before" }, log);
        Assert.Equal(TaskletState.Runnable, p.State); // the sender was put behind main
        s.Run();
        Assert.Equal(new[] { "x", "p before", "p after" }, log);
    }

    [Fact]
    public void MainSend_RunsTheOthersUntilAReceiverTakesTheValue()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var got = new List<int>();
        async TaskletBody Consumer() { while (true) got.Add(await ch.Receive()); }
        var c = s.Spawn(Consumer);
        ch.Send(1);
        ch.Send(2);
        ch.Send(3);
        Assert.Equal(new[] { 1, 2, 3 }, got);
        Assert.True(c.Blocked);
        Assert.Equal(-1, ch.Balance);
    }

    [Fact]
    public void MainSchedule_RunsOneRoundOfTheOthers()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody W(string name) { for (var i = 0; i < 2; i++) { log.Add(name + i); await s.Schedule(); } }
        s.Spawn(W, "a");
        s.Spawn(W, "b");
        s.Schedule();
        Assert.Equal(new[] { "a0", "b0" }, log);
        Assert.Same(s.Main, s.Current);
        s.Schedule();
        Assert.Equal(new[] { "a0", "b0", "a1", "b1" }, log);
        s.Run();
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void MainSchedule_WithNothingElseRunnable_ReturnsAtOnce()
    {
        var s = new Scheduler();
        var op = s.Schedule();
        Assert.True(op.IsCompleted);
        Assert.Equal(0, s.Steps);
    }

    [Fact]
    public async Task MainOperations_CanBeAwaited()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        s.Spawn(async () => { await ch.Send("hello"); await ch.Send("world"); });
        var first = await ch.Receive();
        await s.Schedule();
        var second = await ch.Receive();
        Assert.Equal("hello", first);
        Assert.Equal("world", second);
        s.Run();
        Assert.Equal(0, s.AliveCount);
    }

    // ---- deadlock -----------------------------------------------------------------------------

    [Fact]
    public void MainReceiving_WithNothingRunnable_RaisesLastRunnableDeadlock()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var e = Assert.Throws<DeadlockException>(() => ch.Receive());
        Assert.Equal("Deadlock: the last runnable tasklet cannot be blocked.", e.Message);
        Assert.Equal(0, ch.Balance);
        Assert.Null(ch.Queue);
        Assert.Same(s.Main, s.Current);
        Assert.Equal(TaskletState.Current, s.Main.State);
    }

    [Fact]
    public void MainSending_WithNothingRunnable_RaisesLastRunnableDeadlock()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var e = Assert.Throws<DeadlockException>(() => ch.Send(1));
        Assert.Equal("Deadlock: the last runnable tasklet cannot be blocked.", e.Message);
        Assert.Equal(0, ch.Balance);
    }

    [Fact]
    public void MainReceiving_WhenTheOthersEndWithoutSending_RaisesReceivingWithoutASender()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var ran = false;
        s.SpawnAction(() => ran = true);
        var e = Assert.Throws<DeadlockException>(() => ch.Receive());
        Assert.Equal("the main tasklet is receiving without a sender available.", e.Message);
        Assert.True(ran);
        Assert.Equal(0, ch.Balance);
        Assert.False(s.Main.Blocked);
        Assert.Same(s.Main, s.Current);
    }

    [Fact]
    public void MainSending_WhenTheOthersEndWithoutReceiving_RaisesSendingWithoutAReceiver()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        s.SpawnAction(() => { });
        var e = Assert.Throws<DeadlockException>(() => ch.Send(1));
        Assert.Equal("the main tasklet is sending without a receiver available.", e.Message);
        Assert.Equal(0, ch.Balance);
    }

    [Fact]
    public void TaskletBlockingLastWhileMainIsBlocked_GetsLastRunnableDeadlock()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var other = new Channel(s);
        string? inTasklet = null;
        async TaskletBody Lonely()
        {
            try { await other.Receive(); }
            catch (DeadlockException e) { inTasklet = e.Message; }
        }
        s.Spawn(Lonely);
        var e = Assert.Throws<DeadlockException>(() => ch.Receive());
        Assert.Equal("Deadlock: the last runnable tasklet cannot be blocked.", inTasklet);
        Assert.Equal("the main tasklet is receiving without a sender available.", e.Message);
        Assert.Equal(0, other.Balance);
        Assert.Equal(0, ch.Balance);
    }

    [Fact]
    public void TaskletDyingOfDeadlockWhileMainIsBlocked_SendsTheDeadlockToMain()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var t = s.Spawn(async () => { await new Channel(s).Receive(); });
        var e = Assert.Throws<DeadlockException>(() => ch.Send(1));
        Assert.Equal("Deadlock: the last runnable tasklet cannot be blocked.", e.Message);
        Assert.False(t.Alive);
        Assert.Equal(0, ch.Balance);
    }

    [Fact]
    public void Run_WithEveryTaskletBlocked_ReturnsSilently()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var a = s.Spawn(async () => { await ch.Receive(); });
        var b = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        Assert.True(a.Blocked);
        Assert.True(b.Blocked);
        Assert.Equal(-2, ch.Balance);
        Assert.Equal(new[] { a, b }, s.BlockedTasklets);
    }

    [Fact]
    public void DeadlockReport_NamesEachBlockedTaskletWithItsChannelAndDirection()
    {
        var s = new Scheduler();
        var ch1 = new Channel(s, "ch1");
        var ch2 = new Channel(s, "ch2");
        var reader = s.Spawn(async () => { await ch1.Receive(); }, "reader");
        var writer = s.Spawn(async () => { await ch2.Send(1); }, "writer");
        s.Run();
        var report = s.GetDeadlockReport();
        Assert.True(report.IsDeadlock);
        Assert.Equal(0, report.Runnable);
        Assert.Collection(report.Blocked,
            b =>
            {
                Assert.Same(reader, b.Tasklet);
                Assert.Same(ch1, b.Channel);
                Assert.Equal(-1, b.Direction);
                Assert.Equal("receive", b.Action);
            },
            b =>
            {
                Assert.Same(writer, b.Tasklet);
                Assert.Same(ch2, b.Channel);
                Assert.Equal(1, b.Direction);
                Assert.Equal("send", b.Action);
            });
        var text = report.ToString();
        Assert.StartsWith("Deadlock", text);
        Assert.Contains("reader waits to receive on ch1", text);
        Assert.Contains("writer waits to send on ch2", text);
    }

    [Fact]
    public void DeadlockReport_IsNoDeadlock_WhileATaskletCanStillRun()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        s.SpawnAction(() => { });
        var report = s.GetDeadlockReport();
        Assert.Single(report.Blocked);
        Assert.Equal(1, report.Runnable);
        Assert.False(report.IsDeadlock);
    }

    [Fact]
    public void DeadlockReport_IsNoDeadlock_WhenNothingIsBlocked()
    {
        var s = new Scheduler();
        s.SpawnAction(() => { });
        s.Run();
        var report = s.GetDeadlockReport();
        Assert.Empty(report.Blocked);
        Assert.False(report.IsDeadlock);
        Assert.Equal("No tasklet is blocked.", report.ToString());
    }

    [Fact]
    public void DeadlockReport_FromInsideATasklet_CountsTheRunningTasklet()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        s.Spawn(async () => { await ch.Receive(); });
        DeadlockReport? inside = null;
        s.SpawnAction(() => inside = s.GetDeadlockReport());
        s.Run();
        Assert.NotNull(inside);
        Assert.Single(inside.Blocked);
        Assert.Equal(1, inside.Runnable);
        Assert.False(inside.IsDeadlock);
    }

    // ---- observation --------------------------------------------------------------------------

    [Fact]
    public void TaskletsAndAliveCount_ListTheAliveTaskletsOldestFirst()
    {
        var s = new Scheduler();
        var a = s.SpawnAction(() => { });
        var b = s.Spawn(async () => { await new Channel(s).Receive(); });
        var c = s.SpawnAction(() => { });
        Assert.Equal(3, s.AliveCount);
        Assert.Equal(new[] { a, b, c }, s.Tasklets);
        s.Run();
        Assert.Equal(1, s.AliveCount);
        Assert.Equal(new[] { b }, s.Tasklets);
        Assert.False(c.Alive);
    }

    [Fact]
    public void Steps_CountEveryResumption()
    {
        var s = new Scheduler();
        var a = s.Spawn(async () => { await s.Schedule(); await s.Schedule(); });
        var b = s.SpawnAction(() => { });
        s.Run();
        Assert.Equal(3, a.Steps);
        Assert.Equal(1, b.Steps);
        Assert.Equal(4, s.Steps);
    }

    [Fact]
    public void ScheduleWithValue_GivesTheValueBackWhenTheTaskletRunsAgain()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody Yielder()
        {
            var got = await s.Schedule("retval");
            log.Add("yielder got " + got);
        }
        s.Spawn(Yielder);
        s.SpawnAction(() => log.Add("other ran"));
        s.Run();
        Assert.Equal(new[] { "other ran", "yielder got retval" }, log);
        Assert.Equal(42, s.Schedule(42).Value); // main alone: no switch, the value comes straight back
    }

    [Fact]
    public void ScheduleRemoveWithValue_PausesUntilInsertAndThenGivesTheValueBack()
    {
        var s = new Scheduler();
        int? got = null;
        async TaskletBody Pauser() => got = await s.ScheduleRemove(7);
        var t = s.Spawn(Pauser);
        s.Run();
        Assert.True(t.Paused);
        Assert.Null(got);
        t.Insert();
        s.Run();
        Assert.Equal(7, got);
        Assert.False(t.Alive);
    }
}
