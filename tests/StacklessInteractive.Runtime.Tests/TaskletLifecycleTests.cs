using System.Runtime.CompilerServices;

namespace StacklessInteractive.Tests;

/// <summary>Tasklets: creation, order, states, bind/setup, insert/remove, run/switch, kill/throw, run count.</summary>
public class TaskletLifecycleTests
{
    // ---- creation and order -------------------------------------------------------------------

    [Fact]
    public void Spawn_QueuesTheTaskletWithoutRunningIt()
    {
        var s = new Scheduler();
        var ran = false;
        var t = s.SpawnAction(() => ran = true);
        Assert.False(ran);
        Assert.False(t.Started);
        Assert.Equal(0, t.Steps);
        Assert.Equal(TaskletState.Runnable, t.State);
        Assert.Equal(new[] { t }, s.RunQueue);
        s.Run();
        Assert.True(ran);
        Assert.Equal(1, t.Steps);
    }

    [Fact]
    public void Names_DefaultToTheId_CanBeGivenAndTakenBack_AndStayWithTheirOwner()
    {
        var s = new Scheduler();
        var other = new Scheduler();
        var a = s.SpawnAction(() => { }, name: "producer");
        var b = s.SpawnAction(() => { });
        var c = new Channel<int>(s, name: "jobs");
        var d = new Channel<int>(s);
        var e = new Channel<int>(other, name: "jobs elsewhere");
        Assert.Equal(("producer", $"tasklet#{b.Id}", "main"), (a.Name, b.Name, s.Main.Name));
        Assert.Equal(("jobs", $"channel#{d.Id}", "jobs elsewhere"), (c.Name, d.Name, e.Name));

        b.Name = "consumer";
        d.Name = "results";
        s.Main.Name = "notebook";
        Assert.Equal(("consumer", "results", "notebook", "main"), (b.Name, d.Name, s.Main.Name, other.Main.Name));

        a.Name = null!; // back to the default, as a fresh tasklet
        c.Name = null!;
        Assert.Equal(($"tasklet#{a.Id}", $"channel#{c.Id}"), (a.Name, c.Name));
        s.Run();
        Assert.Equal("consumer", b.Name); // a dead tasklet keeps its name for the views that show it
    }

    [Fact]
    public void Setup_QueuesTheBoundTaskletWithoutRunningIt()
    {
        var s = new Scheduler();
        var log = new List<string>();
        void F(string x) => log.Add(x);
        var t = new Tasklet(F, s).Setup("x");
        Assert.Empty(log);
        Assert.Equal(TaskletState.Runnable, t.State);
        s.Run();
        Assert.Equal(new[] { "x" }, log);
    }

    [Fact]
    public void Tasklets_RunInCreationOrder_AndScheduleGoesRoundRobin()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody Worker(string name)
        {
            for (var i = 0; i < 3; i++) { log.Add(name + i); await s.Schedule(); }
        }
        foreach (var name in new[] { "a", "b", "c", "d" }) s.Spawn(Worker, name);
        s.Run();
        Assert.Equal(new[] { "a0", "b0", "c0", "d0", "a1", "b1", "c1", "d1", "a2", "b2", "c2", "d2" }, log);
    }

    // ---- states -------------------------------------------------------------------------------

    [Fact]
    public void States_FollowTheLifecycle_NewRunnableCurrentBlockedDead()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        Tasklet t = null!;
        (TaskletState State, bool IsCurrent, bool Scheduled, bool Paused, bool SchedulerCurrent) inside = default;
        async TaskletBody Body()
        {
            inside = (t.State, t.IsCurrent, t.Scheduled, t.Paused, s.Current == t);
            await ch.Receive();
        }
        t = new Tasklet((Func<TaskletBody>)Body, s);
        Assert.Equal(TaskletState.New, t.State);
        Assert.False(t.Alive);
        Assert.False(t.Scheduled);
        Assert.False(t.Paused);
        Assert.False(t.Blocked);
        Assert.False(t.IsCurrent);

        t.Setup();
        Assert.Equal(TaskletState.Runnable, t.State);
        Assert.True(t.Alive);
        Assert.True(t.Scheduled);
        Assert.False(t.Paused);
        Assert.False(t.Blocked);
        Assert.False(t.IsCurrent);

        s.Run();
        Assert.Equal((TaskletState.Current, true, true, false, true), inside);
        Assert.Equal(TaskletState.Blocked, t.State);
        Assert.True(t.Alive);
        Assert.True(t.Blocked);
        Assert.True(t.Scheduled); // Stackless counts a blocked tasklet as scheduled
        Assert.False(t.Paused);
        Assert.Same(ch, t.BlockedOn);
        Assert.Equal(-1, t.BlockedDirection);

        ch.Send(1);
        Assert.Equal(TaskletState.Dead, t.State);
        Assert.False(t.Alive);
        Assert.False(t.Blocked);
        Assert.False(t.Scheduled);
        Assert.False(t.Paused);
        Assert.Null(t.BlockedOn);
        Assert.Equal(0, t.BlockedDirection);
    }

    [Fact]
    public void BlockedSender_HasDirectionPlusOne()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var t = s.Spawn(async () => { await ch.Send(1); });
        s.Run();
        Assert.Equal(1, t.BlockedDirection);
        Assert.Equal(TaskletState.Blocked, t.State);
    }

    [Fact]
    public void MainTasklet_IsCurrentOutsideRun_PausedDuringRun_BlockedWhileItWaitsOnAChannel()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var main = s.Main;
        Assert.True(main.IsMain);
        Assert.True(main.IsCurrent);
        Assert.Same(main, s.Current);
        Assert.Equal(TaskletState.Current, main.State);
        Assert.True(main.Scheduled);
        Assert.False(main.Paused);

        (TaskletState State, bool IsCurrent, bool Scheduled, bool Paused) duringRun = default;
        s.SpawnAction(() => duringRun = (main.State, main.IsCurrent, main.Scheduled, main.Paused));
        s.Run();
        Assert.Equal((TaskletState.Paused, false, false, true), duringRun);
        Assert.Equal(TaskletState.Current, main.State);

        (TaskletState State, bool Blocked, ChannelBase? On, int Direction) whileWaiting = default;
        s.Spawn(async () =>
        {
            whileWaiting = (main.State, main.Blocked, main.BlockedOn, main.BlockedDirection);
            await ch.Send("x");
        });
        Assert.Equal("x", ch.Receive().Value);
        Assert.Equal((TaskletState.Blocked, true, (ChannelBase?)ch, -1), whileWaiting);
        Assert.Equal(TaskletState.Current, main.State);
        Assert.False(main.Blocked);
    }

    // ---- bind / setup -------------------------------------------------------------------------

    [Fact]
    public void TaskletOfDelegate_ThenSetupWithArgs_RunsTheFunctionWithThem()
    {
        var s = new Scheduler();
        var log = new List<string>();
        void Greet(string who, int n) => log.Add($"{who}{n}");
        var t = new Tasklet(Greet, s);
        Assert.False(t.Alive);
        Assert.Equal(TaskletState.New, t.State);
        Assert.Same(t, t.Setup("x", 1));
        Assert.True(t.Alive);
        s.Run();
        Assert.Equal(new[] { "x1" }, log);
        Assert.Equal(TaskletState.Dead, t.State);
    }

    [Fact]
    public void BindWithArgs_GivesAnAlivePausedTasklet_ThatInsertStarts()
    {
        var s = new Scheduler();
        var log = new List<string>();
        void Greet(string who, int n) => log.Add($"{who}{n}");
        var t = new Tasklet(s).Bind(Greet, ["y", 2]);
        Assert.True(t.Alive);
        Assert.True(t.Paused);
        Assert.Equal(TaskletState.Paused, t.State);
        Assert.Empty(s.RunQueue);
        s.Run();
        Assert.Empty(log);
        t.Insert();
        s.Run();
        Assert.Equal(new[] { "y2" }, log);
        Assert.False(t.Alive);
    }

    [Fact]
    public void BindWithoutArgs_LeavesTheTaskletNotAlive_UntilSetup()
    {
        var s = new Scheduler();
        var log = new List<string>();
        void F(string x) => log.Add(x);
        var t = new Tasklet(s).Bind(F);
        Assert.False(t.Alive);
        Assert.Equal(TaskletState.New, t.State);
        t.Setup("z");
        s.Run();
        Assert.Equal(new[] { "z" }, log);
    }

    [Fact]
    public void Bind_OfAPausedTasklet_DropsItsBodyWithoutRunningItsFinally()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody Old()
        {
            try { log.Add("old"); await s.ScheduleRemove(); log.Add("old resumed"); }
            finally { log.Add("old finally"); }
        }
        var t = s.Spawn(Old);
        s.Run();
        Assert.True(t.Paused);
        void New() => log.Add("new");
        t.Bind(New).Setup();
        Assert.Equal(1, s.AliveCount);
        s.Run();
        Assert.Equal(new[] { "old", "new" }, log);
        Assert.False(t.Alive);
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void BoundTaskletBodyFunction_WithArgs_DoesChannelOperations()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        async TaskletBody Producer(int from, int count)
        {
            for (var i = 0; i < count; i++) await ch.Send(from + i);
        }
        new Tasklet(Producer, s).Setup(10, 3);
        Assert.Equal(10, ch.Receive().Value);
        Assert.Equal(11, ch.Receive().Value);
        Assert.Equal(12, ch.Receive().Value);
        s.Run();
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void BoundAsyncTaskFunction_RunsAsATasklet()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        object? got = null;
        async Task Consumer() => got = await ch.Receive();
        var t = new Tasklet(Consumer, s).Setup();
        s.Run();
        Assert.True(t.Blocked);
        ch.Send("v");
        Assert.Equal("v", got);
        Assert.False(t.Alive);
    }

    [Fact]
    public void DeadTasklet_CanBeBoundAndSetUpAgain()
    {
        var s = new Scheduler();
        var log = new List<string>();
        void F(string x) => log.Add(x);
        var t = new Tasklet(F, s).Setup("first");
        s.Run();
        Assert.False(t.Alive);
        t.Bind(F).Setup("second");
        Assert.Equal(TaskletState.Runnable, t.State);
        s.Run();
        Assert.Equal(new[] { "first", "second" }, log);
        Assert.Equal(TaskletState.Dead, t.State);
    }

    // ---- insert / remove ----------------------------------------------------------------------

    [Fact]
    public void Remove_PausesARunnableTasklet_WhichDoesNotRunUntilInsert()
    {
        var s = new Scheduler();
        var log = new List<string>();
        var a = s.SpawnAction(() => log.Add("a"));
        var b = s.SpawnAction(() => log.Add("b"));
        Assert.Same(a, a.Remove());
        Assert.True(a.Paused);
        Assert.False(a.Scheduled);
        Assert.Equal(TaskletState.Paused, a.State);
        Assert.Equal(new[] { b }, s.RunQueue);
        s.Run();
        Assert.Equal(new[] { "b" }, log);
        Assert.True(a.Alive);
        Assert.True(a.Paused);
        Assert.Same(a, a.Insert());
        Assert.Equal(TaskletState.Runnable, a.State);
        s.Run();
        Assert.Equal(new[] { "b", "a" }, log);
    }

    [Fact]
    public void Insert_AppendsAPausedTaskletAtTheTail()
    {
        var s = new Scheduler();
        var a = s.SpawnAction(() => { });
        var b = s.SpawnAction(() => { });
        var c = s.SpawnAction(() => { });
        a.Remove();
        a.Insert();
        Assert.Equal(new[] { b, c, a }, s.RunQueue);
    }

    [Fact]
    public void Insert_OfAQueuedTasklet_LeavesItWhereItIs()
    {
        var s = new Scheduler();
        var a = s.SpawnAction(() => { });
        var b = s.SpawnAction(() => { });
        a.Insert();
        Assert.Equal(new[] { a, b }, s.RunQueue);
    }

    [Fact]
    public void Remove_OfAPausedTasklet_IsANoOp()
    {
        var s = new Scheduler();
        var a = s.SpawnAction(() => { });
        a.Remove();
        a.Remove();
        Assert.True(a.Paused);
        Assert.Empty(s.RunQueue);
    }

    // ---- tasklet.Run() / Switch() -------------------------------------------------------------

    [Fact]
    public void RunFromMain_OfAPausedTasklet_RunsItNow_ThenMainContinuesBeforeTheOthers()
    {
        var s = new Scheduler();
        var log = new List<string>();
        var a = s.SpawnAction(() => log.Add("a"));
        var b = s.SpawnAction(() => log.Add("b"));
        var p = s.SpawnAction(() => log.Add("p"));
        p.Remove();
        p.Run();
        Assert.Equal(new[] { "p" }, log);
        Assert.Equal(new[] { a, b }, s.RunQueue);
        s.Run();
        Assert.Equal(new[] { "p", "a", "b" }, log);
    }

    [Fact]
    public void RunFromMain_OfAQueuedTasklet_RotatesTheQueueToIt()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody W(string name) { log.Add(name + "1"); await s.Schedule(); log.Add(name + "2"); }
        var a = s.Spawn(W, "a");
        var b = s.Spawn(W, "b");
        var c = s.Spawn(W, "c");
        c.Run();
        // c is not moved: main comes right after it, a and b after main.
        Assert.Equal(new[] { "c1" }, log);
        Assert.Equal(new[] { a, b, c }, s.RunQueue);
        s.Run();
        Assert.Equal(new[] { "c1", "a1", "b1", "c2", "a2", "b2" }, log);
    }

    [Fact]
    public void RunFromATasklet_OfAQueuedTasklet_RunsTheTaskletsBetweenItAndTheCallerFirst()
    {
        // tasklets.rst: the ring a b c d; a calls c.run(): c d a b is the new order.
        var s = new Scheduler();
        var log = new List<string>();
        Tasklet c = null!;
        async TaskletBody A() { log.Add("a1"); await c.Run(); log.Add("a2"); }
        async TaskletBody W(string name) { log.Add(name + "1"); await s.Schedule(); log.Add(name + "2"); }
        s.Spawn(A);
        s.Spawn(W, "b");
        c = s.Spawn(W, "c");
        s.Spawn(W, "d");
        s.Run();
        Assert.Equal(new[] { "a1", "c1", "d1", "a2", "b1", "c2", "d2", "b2" }, log);
    }

    [Fact]
    public void RunFromATasklet_OfAPausedTasklet_RunsItNow_AndTheCallerRightAfter()
    {
        var s = new Scheduler();
        var log = new List<string>();
        var p = s.SpawnAction(() => log.Add("p"));
        p.Remove();
        async TaskletBody A() { log.Add("a1"); await p.Run(); log.Add("a2"); }
        s.Spawn(A);
        s.SpawnAction(() => log.Add("b"));
        s.Run();
        Assert.Equal(new[] { "a1", "p", "a2", "b" }, log);
    }

    [Fact]
    public void RunOfTheCurrentTasklet_IsANoOp()
    {
        var s = new Scheduler();
        var log = new List<string>();
        Tasklet a = null!;
        async TaskletBody A()
        {
            var op = a.Run();
            log.Add("completed=" + op.IsCompleted);
            await op;
            log.Add("a");
        }
        a = s.Spawn(A);
        s.SpawnAction(() => log.Add("b"));
        s.Run();
        Assert.Equal(new[] { "completed=True", "a", "b" }, log);
        s.Main.Run(); // main running itself: nothing happens
        Assert.Same(s.Main, s.Current);
    }

    [Fact]
    public void Switch_RunsTheTargetAndPausesTheCaller()
    {
        var s = new Scheduler();
        var log = new List<string>();
        var b = s.SpawnAction(() => log.Add("b"));
        b.Remove();
        async TaskletBody A() { log.Add("a1"); await b.Switch(); log.Add("a2"); }
        var a = s.Spawn(A);
        s.SpawnAction(() => log.Add("c"));
        s.Run();
        Assert.Equal(new[] { "a1", "b", "c" }, log);
        Assert.True(a.Paused);
        Assert.Equal(TaskletState.Paused, a.State);
        a.Insert();
        s.Run();
        Assert.Equal(new[] { "a1", "b", "c", "a2" }, log);
        Assert.False(a.Alive);
    }

    // ---- kill ---------------------------------------------------------------------------------

    [Fact]
    public void Kill_OfABlockedTasklet_RemovesItFromTheChannel_RestoresTheBalance_AndRunsItsFinally()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var log = new List<string>();
        async TaskletBody Waiter(string name)
        {
            try { await ch.Receive(); log.Add(name + " received"); }
            finally { log.Add(name + " finally"); }
        }
        var t = s.Spawn(Waiter, "t");
        var u = s.Spawn(Waiter, "u");
        s.Run();
        Assert.Equal(-2, ch.Balance);
        t.Kill();
        Assert.Equal(new[] { "t finally" }, log);
        Assert.False(t.Alive);
        Assert.Equal(TaskletState.Dead, t.State);
        Assert.Equal(-1, ch.Balance);
        Assert.Same(u, ch.Queue);
        Assert.Equal(new[] { u }, ch.Waiters);
        Assert.Same(s.Main, s.Current);
    }

    [Fact]
    public void Kill_OfABlockedSender_BringsThePositiveBalanceBack()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var t = s.Spawn(async () => { await ch.Send(1); });
        s.Run();
        Assert.Equal(1, ch.Balance);
        t.Kill();
        Assert.Equal(0, ch.Balance);
        Assert.Null(ch.Queue);
    }

    [Fact]
    public void Kill_OfANotStartedTasklet_EndsItBeforeItsBodyRuns()
    {
        var s = new Scheduler();
        var bodyRan = false;
        var t = s.SpawnAction(() => bodyRan = true);
        t.Remove();
        var other = s.SpawnAction(() => { });
        t.Kill();
        Assert.False(bodyRan);
        Assert.False(t.Alive);
        Assert.Equal(TaskletState.Dead, t.State);
        Assert.Equal(new[] { other }, s.RunQueue);
        s.Run();
        Assert.False(bodyRan);
    }

    [Fact]
    public void Kill_OfAQueuedTasklet_RotatesTheRingToIt_SoTheTaskletsBehindItRunBeforeMainResumes()
    {
        var s = new Scheduler();
        var log = new List<string>();
        var t = s.SpawnAction(() => log.Add("t"));
        s.SpawnAction(() => log.Add("other"));
        t.Kill();
        Assert.Equal(new[] { "other" }, log);
        Assert.Equal(TaskletState.Dead, t.State);
        Assert.Empty(s.RunQueue);
    }

    [Fact]
    public void Kill_OfADeadTasklet_IsANoOp()
    {
        var s = new Scheduler();
        var t = s.SpawnAction(() => { });
        s.Run();
        var other = s.SpawnAction(() => { });
        t.Kill();
        t.Kill(pending: true);
        Assert.Equal(TaskletState.Dead, t.State);
        Assert.Equal(new[] { other }, s.RunQueue);
        Assert.Same(s.Main, s.Current);
    }

    [Fact]
    public void KillPending_OfABlockedTasklet_UnblocksIt_AndItDiesWhenItsTurnComes()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var log = new List<string>();
        async TaskletBody Waiter()
        {
            try { await ch.Receive(); log.Add("received"); }
            finally { log.Add("finally"); }
        }
        var t = s.Spawn(Waiter);
        s.Run();
        t.Kill(pending: true);
        Assert.Empty(log);
        Assert.True(t.Alive);
        Assert.Equal(TaskletState.Runnable, t.State);
        Assert.Equal(0, ch.Balance);
        Assert.Equal(new[] { t }, s.RunQueue);
        s.Run();
        Assert.Equal(new[] { "finally" }, log);
        Assert.False(t.Alive);
    }

    [Fact]
    public void KillOfTheCurrentTasklet_RaisesTaskletExitAtOnce_AndTheTaskletEndsQuietly()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody Body()
        {
            await s.Schedule();
            try
            {
                _ = s.Current.Kill();
                log.Add("after kill");
            }
            catch (TaskletExit) { log.Add("caught"); throw; }
            finally { log.Add("finally"); }
        }
        var t = s.Spawn(Body);
        s.Run();
        Assert.Equal(new[] { "caught", "finally" }, log);
        Assert.False(t.Alive);
    }

    [Fact]
    public void KillFromATasklet_RunsTheVictimNow_ThenTheKiller()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var log = new List<string>();
        async TaskletBody Victim()
        {
            try { await ch.Receive(); }
            finally { log.Add("victim finally"); }
        }
        var v = s.Spawn(Victim);
        async TaskletBody Killer()
        {
            await s.Schedule();
            log.Add("killing");
            await v.Kill();
            log.Add("killed, balance " + ch.Balance);
        }
        s.Spawn(Killer);
        s.SpawnAction(() => log.Add("bystander"));
        s.Run();
        Assert.Equal(new[] { "bystander", "killing", "victim finally", "killed, balance 0" }, log);
    }

    // ---- throw / raise_exception --------------------------------------------------------------

    [Fact]
    public void Throw_IntoABlockedTasklet_SurfacesAtItsAwait()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        Exception? caught = null;
        var log = new List<string>();
        async TaskletBody Waiter()
        {
            try { await ch.Receive(); log.Add("received"); }
            catch (TestError e) { caught = e; log.Add("caught"); }
            await s.Schedule();
            log.Add("carried on");
        }
        var t = s.Spawn(Waiter);
        s.Run();
        var error = new TestError("boom");
        t.Throw(error);
        Assert.Same(error, caught);
        Assert.Equal(new[] { "caught" }, log);
        Assert.Equal(0, ch.Balance);
        Assert.Equal(TaskletState.Runnable, t.State);
        s.Run();
        Assert.Equal(new[] { "caught", "carried on" }, log);
    }

    [Fact]
    public void RaiseException_IntoABlockedTasklet_SurfacesAtItsAwait()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        Exception? caught = null;
        async TaskletBody Waiter()
        {
            try { await ch.Send(1); }
            catch (TestError e) { caught = e; }
        }
        var t = s.Spawn(Waiter);
        s.Run();
        Assert.Equal(1, ch.Balance);
        var error = new TestError("raised");
        t.RaiseException(error);
        Assert.Same(error, caught);
        Assert.Equal(0, ch.Balance);
        Assert.False(t.Alive);
    }

    [Fact]
    public void ThrowPending_OnlyMakesTheTargetRunnable_TheExceptionSurfacesWhenItRuns()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        Exception? caught = null;
        async TaskletBody Waiter()
        {
            try { await ch.Receive(); }
            catch (TestError e) { caught = e; }
        }
        var t = s.Spawn(Waiter);
        s.Run();
        var error = new TestError("later");
        t.Throw(error, pending: true);
        Assert.Null(caught);
        Assert.Equal(TaskletState.Runnable, t.State);
        Assert.Equal(0, ch.Balance);
        s.Run();
        Assert.Same(error, caught);
    }

    [Fact]
    public void Throw_ThatTheTargetDoesNotCatch_ComesOutOfMainsThrow()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var t = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        var error = new TestError("uncaught");
        var e = Assert.Throws<TestError>(() => t.Throw(error));
        Assert.Same(error, e);
        Assert.False(t.Alive);
        Assert.Equal(0, ch.Balance);
        Assert.Same(s.Main, s.Current);
    }

    [Fact]
    public void Throw_IntoADeadTasklet_RaisesYouCannotThrowToADeadTasklet()
    {
        var s = new Scheduler();
        var t = s.SpawnAction(() => { });
        s.Run();
        var e = Assert.Throws<InvalidOperationException>(() => t.Throw(new TestError("x")));
        Assert.Equal("You cannot throw to a dead tasklet", e.Message);
        var e2 = Assert.Throws<InvalidOperationException>(() => t.RaiseException(new TestError("x")));
        Assert.Equal("You cannot throw to a dead tasklet", e2.Message);
        var unbound = new Tasklet(s);
        var e3 = Assert.Throws<InvalidOperationException>(() => unbound.Throw(new TestError("x")));
        Assert.Equal("You cannot throw to a dead tasklet", e3.Message);
    }

    [Fact]
    public void TaskletExit_EscapingABody_EndsItSilently()
    {
        var s = new Scheduler();
        var handled = new List<Exception>();
        s.ErrorHandler = (_, e) => handled.Add(e);
        var log = new List<string>();
        async TaskletBody Quitter() { await s.Schedule(); throw new TaskletExit("bye"); }
        var q = s.Spawn(Quitter);
        s.Spawn(async () => { await s.Schedule(); await s.Schedule(); log.Add("other done"); });
        s.Run();
        Assert.Empty(handled);
        Assert.False(q.Alive);
        Assert.Equal(new[] { "other done" }, log);
    }

    [Fact]
    public void TaskletExit_EscapingABody_DoesNotComeOutOfRunWithoutAHandler()
    {
        var s = new Scheduler();
        var q = s.Spawn(async () => { await s.Schedule(); throw new TaskletExit(); });
        s.Run();
        Assert.Equal(TaskletState.Dead, q.State);
    }

    // A tasklet handed a value, then thrown into before it runs, raises the exception; the value is dropped, and its
    // next receive gets the next value (what it carried is kept in one place, the exception taking the value's).

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ThrowPending_IntoATaskletHoldingAReceivedValue_RaisesIt_AndTheNextReceiveGetsTheNextValue(bool anExceptionWasSent)
    {
        var s = new Scheduler();
        var ch = new Channel(s) { Preference = 1 }; // the sender continues: the receiver waits, runnable, with the value
        var log = new List<object?>();
        var r = s.Spawn(async () =>
        {
            try { log.Add(await ch.Receive()); }
            catch (InvalidOperationException e) { log.Add(e.Message); }
            log.Add(await ch.Receive());
        });
        s.Run();          // r blocks receiving
        if (anExceptionWasSent) ch.SendException(new ArgumentException("sent")); // r now holds it and is runnable
        else ch.Send("first");
        r.Throw(new InvalidOperationException("boom"), pending: true);
        s.Run();          // r raises "boom", catches it, and blocks again
        ch.Send("second");
        s.Run();
        Assert.Equal(new object?[] { "boom", "second" }, log);
        Assert.False(r.Alive);
    }

    [Fact]
    public void KillPending_OfATaskletHoldingAnExceptionSentToIt_RunsItsFinally_WithTaskletExit()
    {
        var s = new Scheduler();
        var ch = new Channel(s) { Preference = 1 };
        Exception? seen = null;
        var r = s.Spawn(async () =>
        {
            try { await ch.Receive(); }
            catch (Exception e) { seen = e; throw; }
        });
        s.Run();
        ch.SendException(new InvalidOperationException("sent")); // r holds the sent exception, runnable
        r.Kill(pending: true);
        s.Run();
        Assert.IsType<TaskletExit>(seen); // the kill, not the exception sent before it
        Assert.False(r.Alive);
    }

    // ---- run count ----------------------------------------------------------------------------

    [Fact]
    public void RunCount_CountsMainAndTheQueueOutsideRun_AndIsOneAfterRun()
    {
        var s = new Scheduler();
        Assert.Equal(1, s.RunCount);
        s.SpawnAction(() => { });
        s.SpawnAction(() => { });
        s.SpawnAction(() => { });
        Assert.Equal(4, s.RunCount);
        s.Run();
        Assert.Equal(1, s.RunCount);
    }

    [Fact]
    public void RunCount_InsideATaskletDuringRun_CountsItAndTheQueueButNotMain()
    {
        var s = new Scheduler();
        var seen = new List<int>();
        for (var i = 0; i < 3; i++) s.SpawnAction(() => seen.Add(s.RunCount));
        s.Run();
        Assert.Equal(new[] { 3, 2, 1 }, seen);
    }

    [Fact]
    public void RunCount_DoesNotCountBlockedOrPausedTasklets()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        s.Spawn(async () => { await ch.Receive(); });
        var p = s.SpawnAction(() => { });
        s.Run();
        Assert.Equal(1, s.RunCount);
        var q = s.SpawnAction(() => { });
        q.Remove();
        Assert.Equal(1, s.RunCount);
        Assert.False(p.Alive);
    }

    // ---- what a tasklet keeps ---------------------------------------------------------------------

    [Fact]
    public void ADeadTasklet_DoesNotKeepTheChannelItLastWaitedOnAlive()
    {
        var s = new Scheduler();
        var (tasklet, channel) = BlockOnceThenEnd(s);
        Assert.False(tasklet.Alive);
        GcAssert.Collected(channel, "the tasklet is still referenced here; the channel it waited on is not");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Tasklet Tasklet, WeakReference Channel) BlockOnceThenEnd(Scheduler s)
    {
        var ch = new Channel<int>(s);
        var t = s.Spawn(async () => { await ch.Receive(); });
        s.Run();                              // it blocks receiving
        Assert.Equal(ch, t.BlockedOn);
        ch.Send(1);                           // main hands it a value: it leaves the channel, runs and ends
        s.Run();
        Assert.Null(t.BlockedOn);
        return (t, new WeakReference(ch));
    }

    // ---- recycled starters --------------------------------------------------------------------------

    [Fact]
    public void SpawnsWithArguments_AfterEarlierOnesStarted_EachRunWithTheirOwnArguments()
    {
        // A started tasklet's starter is reused by the next spawn of the same shape; each body must still get
        // the arguments it was spawned with, whether its spawn came before or after the others started.
        var s = new Scheduler();
        var seen = new List<string>();
        async TaskletBody Record(string name, int a, int b) { seen.Add($"{name}:{a}+{b}"); await s.Schedule(); seen.Add(name + " again"); }
        s.Spawn(Record, "first", 1, 2);
        s.Run(1, soft: true);                       // first starts and yields: its starter is now spare
        var second = s.Spawn(Record, "second", 3, 4);
        var third = s.Spawn(Record, "third", 5, 6); // spawned before second starts: a starter of its own
        s.Spawn((int n) => { seen.Add("one arg " + n); return default; }, 7);
        s.Run();
        Assert.Equal(new[] { "first:1+2", "first again", "second:3+4", "third:5+6", "one arg 7", "second again", "third again" }, seen);
        Assert.False(second.Alive);
        Assert.False(third.Alive);
    }

    [Fact]
    public void ARecycledStarter_DoesNotKeepTheArgumentsOfTheTaskletThatStartedAlive()
    {
        var s = new Scheduler();
        GcAssert.Collected(StartWithArgumentThenEnd(s), "the spare starter the scheduler keeps holds nothing");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference StartWithArgumentThenEnd(Scheduler s)
    {
        var argument = new object();
        s.Spawn((object o) => default, argument);
        s.Run();
        return new WeakReference(argument);
    }
}
