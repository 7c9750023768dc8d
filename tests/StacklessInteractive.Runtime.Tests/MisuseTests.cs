namespace StacklessInteractive.Tests;

/// <summary>Every misuse raises a clear error and leaves the scheduler working: a fresh tasklet then runs correctly.</summary>
public class MisuseTests
{
    [Fact]
    public void NullBodies_RaiseArgumentNullException_AndRegisterNothing()
    {
        var s = new Scheduler();
        Assert.Throws<ArgumentNullException>(() => s.Spawn((Func<TaskletBody>)null!));
        Assert.Throws<ArgumentNullException>(() => s.Spawn((Func<int, TaskletBody>)null!, 1));
        Assert.Throws<ArgumentNullException>(() => s.Spawn((Func<int, int, TaskletBody>)null!, 1, 2));
        Assert.Throws<ArgumentNullException>(() => s.Spawn((Func<int, int, int, TaskletBody>)null!, 1, 2, 3));
        Assert.Throws<ArgumentNullException>(() => s.SpawnTask(null!));
        Assert.Throws<ArgumentNullException>(() => s.SpawnAction(null!));
        Assert.Throws<ArgumentNullException>(() => new Tasklet((Delegate)null!, s));
        new Tasklet(s).Bind(null); // Stackless's bind(None) unbinds: a fresh tasklet stays as it is
        Assert.Equal(0, s.AliveCount);
        Assert.Empty(s.RunQueue);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public async Task NullExceptionsAndSequences_RaiseArgumentNullException()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var t = s.SpawnAction(() => { });
        Assert.Throws<ArgumentNullException>(() => t.Throw(null!));
        Assert.Throws<ArgumentNullException>(() => t.RaiseException(null!));
        Assert.Throws<ArgumentNullException>(() => ch.SendException(null!));
        Assert.Throws<ArgumentNullException>(() => ch.SendThrow(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => ch.SendSequence(null!));
        Assert.Equal(0, ch.Balance);
        Assert.Equal(TaskletState.Runnable, t.State);
        s.Run();
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SetupTwice_RaisesTaskletIsAlive()
    {
        var s = new Scheduler();
        var runs = 0;
        void F() => runs++;
        var t = new Tasklet(F, s).Setup();
        var e = Assert.Throws<InvalidOperationException>(() => t.Setup());
        Assert.Equal("tasklet is alive", e.Message);
        Assert.Equal(new[] { t }, s.RunQueue);
        s.Run();
        Assert.Equal(1, runs);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SetupOfASpawnedTasklet_RaisesTaskletIsAlive()
    {
        var s = new Scheduler();
        var t = s.SpawnAction(() => { });
        Assert.Equal("tasklet is alive", Assert.Throws<InvalidOperationException>(() => t.Setup()).Message);
        Assert.Equal(new[] { t }, s.RunQueue);
        s.Run();
        Assert.False(t.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void BindOfARunnableOrBlockedTasklet_RaisesTaskletIsScheduled()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var blocked = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        var runnable = s.SpawnAction(() => { });
        Assert.Equal("tasklet is scheduled", Assert.Throws<InvalidOperationException>(() => runnable.Bind(() => { })).Message);
        Assert.Equal("tasklet is scheduled", Assert.Throws<InvalidOperationException>(() => blocked.Bind(() => { })).Message);
        Assert.Equal(TaskletState.Runnable, runnable.State);
        Assert.True(blocked.Blocked);
        Assert.Equal(-1, ch.Balance);
        s.Run();
        ch.Send(1);
        Assert.Equal(0, s.AliveCount);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void BindOfTheCurrentTasklet_RaisesCantRebindTheCurrentTasklet()
    {
        var s = new Scheduler();
        string? inside = null;
        var log = new List<string>();
        s.Spawn(async () =>
        {
            try { s.Current.Bind(() => { }); } catch (InvalidOperationException e) { inside = e.Message; }
            await s.Schedule();
            log.Add("kept its body");
        });
        s.Run();
        Assert.Equal("can't (re)bind the current tasklet", inside);
        Assert.Equal(new[] { "kept its body" }, log);
        Assert.Equal("can't (re)bind the current tasklet", Assert.Throws<InvalidOperationException>(() => s.Main.Bind(() => { })).Message);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SetupWithTheWrongNumberOfArguments_Raises_AndLeavesTheTaskletUnstarted()
    {
        var s = new Scheduler();
        var log = new List<string>();
        void F(string a, string b) => log.Add(a + b);
        var t = new Tasklet(F, s);
        var e = Assert.Throws<ArgumentException>(() => t.Setup("only one"));
        Assert.Contains("takes 2 argument(s) but 1 were given", e.Message);
        Assert.False(t.Alive);
        Assert.Empty(s.RunQueue);
        t.Setup("x", "y");
        s.Run();
        Assert.Equal(new[] { "xy" }, log);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void InsertOfABlockedTasklet_RaisesYouCannotRunABlockedTasklet()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var t = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        var e = Assert.Throws<InvalidOperationException>(() => t.Insert());
        Assert.Equal("You cannot run a blocked tasklet", e.Message);
        Assert.True(t.Blocked);
        Assert.Equal(-1, ch.Balance);
        Assert.Empty(s.RunQueue);
        ch.Send(1);
        Assert.False(t.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void RunOrSwitchOfABlockedTasklet_RaisesYouCannotRunABlockedTasklet()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var t = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        Assert.Equal("You cannot run a blocked tasklet", Assert.Throws<InvalidOperationException>(() => t.Run()).Message);
        string? fromTasklet = null;
        s.Spawn(async () =>
        {
            try { await t.Switch(); } catch (InvalidOperationException e) { fromTasklet = e.Message; }
        });
        s.Run();
        Assert.Equal("You cannot run a blocked tasklet", fromTasklet);
        Assert.True(t.Blocked);
        Assert.Equal(-1, ch.Balance);
        t.Kill();
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void InsertOfADeadTasklet_RaisesYouCannotRunAnUnboundDeadTasklet()
    {
        var s = new Scheduler();
        var t = s.SpawnAction(() => { });
        s.Run();
        var e = Assert.Throws<InvalidOperationException>(() => t.Insert());
        Assert.Equal("You cannot run an unbound(dead) tasklet", e.Message);
        Assert.Equal(TaskletState.Dead, t.State);
        Assert.Empty(s.RunQueue);
        Assert.Equal("You cannot run an unbound(dead) tasklet", Assert.Throws<InvalidOperationException>(() => new Tasklet(s).Insert()).Message);
        Assert.Equal("You cannot run an unbound(dead) tasklet", Assert.Throws<InvalidOperationException>(() => t.Run()).Message);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void RemoveOfABlockedTasklet_RaisesYouCannotRemoveABlockedTasklet()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var t = s.Spawn(async () => { await ch.Send(1); });
        s.Run();
        var e = Assert.Throws<InvalidOperationException>(() => t.Remove());
        Assert.Equal("You cannot remove a blocked tasklet.", e.Message);
        Assert.True(t.Blocked);
        Assert.Equal(1, ch.Balance);
        Assert.Equal(1, ch.Receive().Value);
        s.Run();
        Assert.False(t.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void RemoveOfTheCurrentTasklet_RaisesTheCurrentTaskletCannotBeRemoved()
    {
        var s = new Scheduler();
        string? inside = null;
        var log = new List<string>();
        s.Spawn(async () =>
        {
            try { s.Current.Remove(); } catch (InvalidOperationException e) { inside = e.Message; }
            await s.Schedule();
            log.Add("still scheduled");
        });
        s.Run();
        Assert.Equal("The current tasklet cannot be removed.", inside);
        Assert.Equal(new[] { "still scheduled" }, log);
        Assert.Equal("The current tasklet cannot be removed.", Assert.Throws<InvalidOperationException>(() => s.Main.Remove()).Message);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void BodyStartingAnOperationWithoutAwaiting_ThenAnother_GetsAClearErrorOutOfRun()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var ch2 = new Channel(s);
        var t = s.Spawn(async () =>
        {
            _ = ch.Send(1);
            await ch2.Receive();
        }, "sloppy");
        var e = Assert.Throws<InvalidOperationException>(() => s.Run());
        Assert.Equal("sloppy started a Stackless operation without awaiting the previous one.", e.Message);
        Assert.False(t.Alive);
        Assert.Equal(0, ch.Balance);
        Assert.Null(ch.Queue);
        Assert.Equal(0, ch2.Balance);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void BodyStartingAnOperationWithoutAwaiting_ThenEnding_GetsAClearErrorOutOfRun()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var other = s.Spawn(async () => { await s.Schedule(); }, "other");
        var t = s.Spawn(() => { _ = ch.Send(1); return default; }, "forgetful");
        var e = Assert.Throws<InvalidOperationException>(() => s.Run());
        Assert.StartsWith("forgetful started a Stackless operation without awaiting it", e.Message);
        Assert.False(t.Alive);
        Assert.Equal(0, ch.Balance);
        Assert.Equal(TaskletState.Runnable, other.State);
        s.Run();
        Assert.False(other.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void ActionBodyStartingABlockingOperation_GetsAClearErrorOutOfRun()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var t = s.SpawnAction(() => ch.Receive(), "action");
        var e = Assert.Throws<InvalidOperationException>(() => s.Run());
        Assert.StartsWith("action started a Stackless operation without awaiting it", e.Message);
        Assert.False(t.Alive);
        Assert.Equal(0, ch.Balance);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void ReadingValueInsteadOfAwaiting_InATasklet_GetsAClearError()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var t = s.Spawn(async () =>
        {
            var v = ch.Receive().Value;
            await ch.Send(v);
        });
        var e = Assert.Throws<InvalidOperationException>(() => s.Run());
        Assert.Equal("A tasklet must await a channel operation to get its value.", e.Message);
        Assert.False(t.Alive);
        Assert.Equal(0, ch.Balance);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void BodyAwaitingTaskDelay_GetsAClearErrorOutOfRun()
    {
        var s = new Scheduler();
        var t = s.Spawn(async () => { await Task.Delay(1); }, "sleepy");
        var e = Assert.Throws<InvalidOperationException>(() => s.Run());
        Assert.StartsWith("sleepy awaited something that is not a Stackless operation", e.Message);
        Assert.Contains("await scheduler.BlockOn(task)", e.Message); // the message names the fix
        Assert.False(t.Alive);
        Assert.Equal(0, s.AliveCount);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TaskBodyAwaitingTaskDelay_GetsAClearErrorOutOfRun()
    {
        var s = new Scheduler();
        var t = s.SpawnTask(async () => { await Task.Delay(1); }, "sleepy task");
        var e = Assert.Throws<InvalidOperationException>(() => s.Run());
        Assert.StartsWith("sleepy task awaited something that is not a Stackless operation", e.Message);
        Assert.False(t.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public async Task BodyAwaitingAForeignTask_IsNotResumedAfterItWasDeclaredDead()
    {
        var s = new Scheduler();
        var foreign = new TaskCompletionSource();
        var resumed = false;
        var t = s.Spawn(async () =>
        {
            await foreign.Task;
            resumed = true;
            s.SpawnAction(() => { });
        });
        Assert.Throws<InvalidOperationException>(() => s.Run());
        Assert.False(t.Alive);
        // Completed on a pool thread, the task runs its continuations inline there, before SetResult returns.
        await Task.Run(foreign.SetResult);
        Assert.False(resumed);
        Assert.Equal(0, s.AliveCount);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void RunCalledFromInsideATasklet_RunsTheOthers_ThenTheCallerCarriesOn()
    {
        // Was an error ("Run() is called by the main tasklet"); Stackless allows a nested run() (issue 17).
        var s = new Scheduler();
        var log = new List<string>();
        s.Spawn(async () =>
        {
            s.Run();
            log.Add("inner run returned");
            await s.Schedule();
            log.Add("inner done");
        }, "inner");
        s.SpawnAction(() => log.Add("other"));
        s.Run();
        Assert.Equal(new[] { "other", "inner run returned", "inner done" }, log);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void RunCalledFromInsideATasklet_AnUncaughtErrorOfAnotherComesOutOfTheInnerRun()
    {
        var s = new Scheduler();
        string? caught = null;
        var nested = s.SpawnAction(() =>
        {
            try { s.Run(); } catch (TestError e) { caught = e.Message; }
        }, "nested");
        s.SpawnAction(() => throw new TestError("from another"));
        s.Run();
        Assert.Equal("from another", caught);
        Assert.False(nested.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void MainSwitchAndScheduleRemove_PauseMainUntilTheRingEmpties()
    {
        // Were errors ("the main tasklet cannot be paused"); Stackless allows both (issue 17).
        var s = new Scheduler();
        var log = new List<string>();
        var t = s.SpawnAction(() => log.Add($"t, main paused: {s.Main.Paused}"));
        s.SpawnAction(() => log.Add("u"));
        t.Switch();
        Assert.Equal(new[] { "t, main paused: True", "u" }, log);
        s.SpawnAction(() => log.Add($"v, main paused: {s.Main.Paused}"));
        s.ScheduleRemove();
        Assert.Equal("v, main paused: True", log[^1]);
        Assert.Equal(1, s.RunCount);
        Assert.Equal(0, s.AliveCount);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void ThrowOrKillIntoMain_IsNotSupported()
    {
        var s = new Scheduler();
        Assert.Throws<NotSupportedException>(() => s.Main.Throw(new TestError("x")));
        Assert.Throws<NotSupportedException>(() => s.Main.Kill());
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void ScheduleCallback_ThatThrows_DoesNotLoseATasklet()
    {
        // Stackless reports an exception from the schedule callback as unraisable and carries on.
        var s = new Scheduler();
        var calls = 0;
        s.ScheduleCallback = (_, _) => { calls++; throw new TestError("callback"); };
        var log = new List<string>();
        s.Spawn(async () => { log.Add("a1"); await s.Schedule(); log.Add("a2"); });
        s.SpawnAction(() => log.Add("b"));
        s.Run();
        Assert.Equal(new[] { "a1", "b", "a2" }, log);
        Assert.Equal(4, calls); // main->a, a->b, b->a, a->main
        s.ScheduleCallback = null;
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void ChannelCallback_ThatThrows_RaisesInTheCaller_BeforeTheOperationChangesAnything()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        s.ChannelCallback = (_, _, _, _) => throw new TestError("channel callback");
        string? inTasklet = null;
        s.Spawn(async () =>
        {
            try { await ch.Receive(); } catch (TestError e) { inTasklet = e.Message; }
        });
        s.Run();
        Assert.Equal("channel callback", inTasklet);
        Assert.Equal(0, ch.Balance);
        Assert.Throws<TestError>(() => ch.Send(1));
        Assert.Equal(0, ch.Balance);
        s.ChannelCallback = null;
        Health.AssertStillWorks(s);
    }
}
