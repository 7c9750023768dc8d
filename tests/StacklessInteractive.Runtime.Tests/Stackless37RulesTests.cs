namespace StacklessInteractive.Tests;

/// <summary>
/// The rules of issue 17, each named after the Stackless 3.7.5 source it comes from: the unit tests in
/// Stackless/unittests (test_miscell, test_defects, test_watchdog, test_channel, test_sched_cb), channelobject.c,
/// scheduling.c, stacklessmodule.c and taskletobject.c (see docs/stackless-semantics.md, §12).
/// </summary>
public class Stackless37RulesTests
{
    // ---- 1. send_exception / send_throw by the last runnable tasklet (scheduling.c schedule_task_block, "revive") ----

    [Fact]
    public void SchedulingC_ScheduleTaskBlock_Revive_RunRaisesTheExceptionTheLastRunnableSenderBlocksWith()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var error = new TestError("bomb");
        var sender = s.Spawn(async () => { await ch.SendException(error); }, "sender");
        Assert.Same(error, Assert.Throws<TestError>(() => s.Run()));
        Assert.Equal(1, ch.Balance);            // the sender stays blocked
        Assert.True(sender.Blocked);
        Assert.Same(error, sender.TempVal);     // and still carries its copy
        string? received = null;
        s.Spawn(async () =>
        {
            try { await ch.Receive(); } catch (TestError e) { received = e.Message; }
        });
        s.Run();
        Assert.Equal("bomb", received);
        Assert.Equal(0, ch.Balance);
        Assert.False(sender.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SchedulingC_ScheduleTaskBlock_Revive_SendThrowToo_ButAPlainSendOrANotLastSenderDoesNot()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var error = new TestError("thrown");
        s.Spawn(async () => { await ch.SendThrow(error); });
        Assert.Same(error, Assert.Throws<TestError>(() => s.Run()));
        Assert.Throws<TestError>(() => ch.Receive());

        s.Spawn(async () => { await ch.Send(1); });
        s.Run();                   // a value, not a bomb: run() returns None
        Assert.Equal(1, ch.Receive().Value);

        var other = new Channel(s);
        s.Spawn(async () => { await ch.SendException(new TestError("not last")); });
        s.Spawn(async () => { await other.Receive(); }); // blocks after the sender: the sender was not the last
        s.Run();
        Assert.Equal(1, ch.Balance);
        Assert.Throws<TestError>(() => ch.Receive());
        other.Send(null);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SchedulingC_ScheduleTaskBlock_Revive_ANestedRunIsTheOneRevived_AndRaises()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        string? innerRun = null;
        s.SpawnAction(() =>
        {
            s.Spawn(async () => { await ch.SendException(new TestError("to the inner run")); });
            try { s.Run(); } catch (TestError e) { innerRun = e.Message; }
        });
        s.Run();
        Assert.Equal("to the inner run", innerRun);
        Assert.Throws<TestError>(() => ch.Receive());
        s.Run();
        Health.AssertStillWorks(s);
    }

    // ---- 2. tempval (test_miscell, test_defects, test_chan_cb) ----------------------------------------------

    [Fact]
    public void TestMiscell_TempVal_SetOnAPausedTasklet_IsWhatItsScheduleRemoveReturns()
    {
        var s = new Scheduler();
        object? returned = "not yet";
        var t = s.Spawn(async () => { returned = await s.ScheduleRemove<object?>("retval"); });
        s.Run();
        Assert.True(t.Paused);
        Assert.Equal("retval", t.TempVal);
        t.TempVal = "hello";
        Assert.Equal("hello", t.TempVal);
        t.Insert();
        s.Run();
        Assert.Equal("hello", returned);
        Assert.False(t.Alive);
        Assert.Null(t.TempVal);                 // a finished tasklet's tempval is None
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TestDefects_Schedule_ReturnsItsValue_OrTheTempValSetMeanwhile_ConvertedToItsType()
    {
        var s = new Scheduler();
        var results = new List<string>();
        var a = s.Spawn(async () =>
        {
            results.Add("a: " + await s.Schedule(5));
            results.Add("a: " + await s.Schedule(6));
            try { await s.Schedule(7); } catch (InvalidCastException e) { results.Add("a: " + e.GetType().Name); }
        }, "a");
        var b = s.Spawn(async () =>
        {
            results.Add("b sees " + a.TempVal);
            await s.Schedule();
            a.TempVal = 60;                     // a waits in Schedule(6): it gets 60
            await s.Schedule();
            a.TempVal = "not an int";
        }, "b");
        s.Run();
        Assert.Equal(new[] { "b sees 5", "a: 5", "a: 60", "a: InvalidCastException" }, results);
        Assert.Null(b.TempVal);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TestChanCb_TheCallerTempValInTheChannelCallback_IsTheValueSent_AndABlockedSenderKeepsIt()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var seen = new List<string>();
        s.ChannelCallback = (_, t, sending, willBlock) => seen.Add($"{(sending ? "send" : "receive")} {t.TempVal ?? "None"} {willBlock}");
        var sender = s.Spawn(async () => { await ch.Send(42); }, "sender");
        s.Run();
        Assert.Equal(42, sender.TempVal);       // blocked: it carries what it sends
        Assert.Equal(42, ch.Receive().Value);
        s.ChannelCallback = null;
        s.Run();
        Assert.Equal(new[] { "send 42 True", "receive None False" }, seen);
        Assert.Null(s.Main.TempVal);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TaskletObjectC_TempVal_CannotBeSetOnTheCurrentABlockedOrADeadTasklet()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var blocked = s.Spawn(async () => { await ch.Receive(); });
        string? fromCurrent = null;
        s.SpawnAction(() =>
        {
            try { s.Current.TempVal = 1; } catch (InvalidOperationException e) { fromCurrent = e.Message; }
        });
        s.Run();
        Assert.Contains("current tasklet", fromCurrent);
        Assert.Contains("blocked", Assert.Throws<InvalidOperationException>(() => blocked.TempVal = 1).Message);
        Assert.Contains("current tasklet", Assert.Throws<InvalidOperationException>(() => s.Main.TempVal = 1).Message);
        ch.Send("done");
        Assert.Contains("not alive", Assert.Throws<InvalidOperationException>(() => blocked.TempVal = 1).Message);
        Health.AssertStillWorks(s);
    }

    // ---- 3. main can switch and be removed (test_miscell TestSwitch, TestSchedule, TestSwitchTrap) -----------

    [Fact]
    public void TestMiscell_TestSwitch_MainSwitchesToATasklet_PausedUntilTheRingEmpties()
    {
        var s = new Scheduler();
        var log = new List<string>();
        var u = s.SpawnAction(() => log.Add("u"), "u");
        var t = s.SpawnAction(() => log.Add($"t: current {s.Current.Name}, main paused {s.Main.Paused}, main scheduled {s.Main.Scheduled}"), "t");
        t.Switch();
        Assert.Equal(new[] { "t: current t, main paused True, main scheduled False", "u" }, log);
        Assert.False(u.Alive);
        Assert.Same(s.Main, s.Current);
        Assert.False(s.Main.Paused);
        s.Main.Switch();                        // to itself: nothing happens
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TestMiscell_TestSwitch_AnErrorOfATaskletComesOutOfMainsSwitch_AndMainsTempValOutOfScheduleRemove()
    {
        var s = new Scheduler();
        var t = s.SpawnAction(() => throw new TestError("in t"));
        Assert.Equal("in t", Assert.Throws<TestError>(() => t.Switch()).Message);
        Assert.Same(s.Main, s.Current);
        Assert.False(s.Main.Paused);
        var main = s.Main;
        s.SpawnAction(() =>
        {
            Assert.Equal("mine", main.TempVal);
            main.TempVal = "set by a tasklet";
            main.Insert();
        });
        Assert.Equal("set by a tasklet", s.ScheduleRemove<object?>("mine").Value);
        Assert.Null(main.TempVal);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TestMiscell_TestSchedule_ScheduleRemoveFail_ATaskletInsertsMain_AndMainResumes()
    {
        var s = new Scheduler();
        var events = new List<string>();
        var main = s.Main;
        var other = s.Spawn(async () =>
        {
            events.Add($"foo: main scheduled {main.Scheduled}");
            main.Insert();
            events.Add($"foo: main scheduled {main.Scheduled}");
            await s.Schedule();
            events.Add("foo again");
        });
        s.ScheduleRemove();
        Assert.Equal(new[] { "foo: main scheduled False", "foo: main scheduled True" }, events);
        Assert.True(other.Alive);               // main came back before foo's second turn
        s.Run();
        Assert.Equal("foo again", events[^1]);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void SchedulingC_ScheduleRemove_MainAlone_IsReinsertedAndReturns_WithItsValue()
    {
        var s = new Scheduler();
        s.ScheduleRemove();
        Assert.Equal("alone", s.ScheduleRemove("alone").Value);
        Assert.Equal(1, s.RunCount);
        Assert.Equal(TaskletState.Current, s.Main.State);
        s.Main.Insert();                        // main is in the ring already: nothing happens
        Assert.Empty(s.RunQueue);
        Health.AssertStillWorks(s);
    }

    // ---- 4. nested run() (stacklessmodule.c run: any tasklet may call it) --------------------------------------

    [Fact]
    public void StacklessModuleC_Run_FromATasklet_RunsTheOthers_WithTheCallerPaused_ThenItContinues()
    {
        var s = new Scheduler();
        var log = new List<string>();
        Tasklet? outer = null;
        outer = s.Spawn(async () =>
        {
            log.Add("outer 1");
            s.Run();
            log.Add($"outer 2, current {s.Current.Name}");
            await s.Schedule();
            log.Add("outer 3");
        }, "outer");
        s.Spawn(async () =>
        {
            log.Add($"b 1, current {s.Current.Name}, outer paused {outer.Paused}, runcount {s.RunCount}");
            await s.Schedule();
            log.Add("b 2");
        }, "b");
        s.Run();
        Assert.Equal(new[] { "outer 1", "b 1, current b, outer paused True, runcount 1", "b 2", "outer 2, current outer", "outer 3" }, log);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void StacklessModuleC_Run_Nested_EndsWhenTheCallerIsInserted_OrKilled()
    {
        var s = new Scheduler();
        var log = new List<string>();
        Tasklet? outer = null;
        outer = s.SpawnAction(() =>
        {
            s.Run();
            log.Add("outer continues");
        }, "outer");
        s.Spawn(async () =>
        {
            outer.Insert();                     // the run() caller is switched back to: its run() returns
            await s.Schedule();
            log.Add("b after outer");
        });
        s.Run();
        Assert.Equal(new[] { "outer continues", "b after outer" }, log);

        var killedInRun = false;
        var victim = s.SpawnAction(() =>
        {
            try { s.Run(); } catch (TaskletExit) { killedInRun = true; throw; }
        }, "victim");
        s.SpawnAction(() => victim.Kill(pending: true));
        s.Run();
        Assert.True(killedInRun);
        Assert.False(victim.Alive);
        Assert.Equal("tasklet has C state on its stack", RebindOfANestedRunner(s));
        Health.AssertStillWorks(s);
    }

    private static string RebindOfANestedRunner(Scheduler s)
    {
        string? message = null;
        Tasklet? runner = null;
        runner = s.SpawnAction(() => s.Run());
        s.SpawnAction(() =>
        {
            try { runner.Bind(() => { }); } catch (InvalidOperationException e) { message = e.Message; }
        });
        s.Run();
        return message!;
    }

    [Fact]
    public void StacklessModuleC_Run_Nested_WithMainWaitingOnAChannel_ReturnsWhenMainIsNext()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var log = new List<string>();
        s.SpawnAction(() =>
        {
            s.Run();                            // ch.Send makes main next: main's loop lies further down the stack
            log.Add("nested run returned");
        });
        s.Spawn(async () =>
        {
            await ch.Send("to main");
            log.Add("sender resumed");
        });
        Assert.Equal("to main", ch.Receive().Value);
        Assert.Equal(new[] { "nested run returned" }, log);
        s.Run();
        Assert.Equal(new[] { "nested run returned", "sender resumed" }, log);
        Health.AssertStillWorks(s);
    }

    // ---- 5. the watchdog per slice (test_watchdog, run(timeout, totaltimeout=False)) ------------------------

    private static async TaskletBody Yielder(Scheduler s, int times)
    {
        for (var i = 0; i < times; i++) await s.Schedule();
    }

    [Fact]
    public void TestWatchdog_TwoTaskletsAlternating50TimesEach_UnderRun100PerSlice_BothFinish()
    {
        var s = new Scheduler();
        var a = s.Spawn(Yielder, s, 50);
        var b = s.Spawn(Yielder, s, 50);
        Assert.Null(s.Run(100, totalTimeout: false));
        Assert.False(a.Alive);
        Assert.False(b.Alive);

        // The same program under a total budget (Run(n), Stackless's totaltimeout=True) is interrupted.
        var t = new Scheduler();
        t.Spawn(Yielder, t, 50);
        t.Spawn(Yielder, t, 50);
        Assert.NotNull(t.Run(100));
        Assert.Equal(100, t.Steps);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TestWatchdog_PerSlice_InterruptsOnlyATaskletThatAloneUsesUpTheBudget()
    {
        var s = new Scheduler();
        var a = s.Spawn(Yielder, s, 50, "a");
        s.Spawn(Yielder, s, 20, "b");
        // a and b alternate for 42 steps (a's slices are one step each), then a runs alone: its slice starts at
        // step 43 and it is interrupted after 10 steps in a row, having run 21 + 10.
        Assert.Same(a, s.Run(10, totalTimeout: false));
        Assert.Equal(31, a.Steps);
        Assert.Equal(52, s.Steps);
        Assert.True(a.Paused);
        a.Insert();
        Assert.Same(a, s.Run(10, totalTimeout: false)); // a new run, a new slice
        Assert.Equal(41, a.Steps);
        a.Insert();
        Assert.Null(s.Run(10, totalTimeout: false));
        Assert.False(a.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TestWatchdog_PerSlice_AnAtomicTaskletGetsANewBudget_AndSoftPausesNobody()
    {
        var s = new Scheduler();
        var atomic = s.Spawn(async () =>
        {
            using (s.Atomic()) await Yielder(s, 30);
        });
        Assert.Null(s.Run(10, totalTimeout: false));
        Assert.False(atomic.Alive);

        var lone = s.Spawn(Yielder, s, 30);
        Assert.Null(s.Run(10, soft: true, totalTimeout: false));
        Assert.Equal(10, lone.Steps);
        Assert.Equal(TaskletState.Runnable, lone.State);
        s.Run();
        Health.AssertStillWorks(s);
    }

    // ---- 6. switch_trap (test_miscell TestSwitchTrap) -----------------------------------------------------------

    private static void AssertTrapped(Action operation)
        => Assert.Contains("switch_trap", Assert.Throws<InvalidOperationException>(operation).Message);

    [Fact]
    public void TestMiscell_TestSwitchTrap_ScheduleScheduleRemoveRunAndTaskletRunAndSwitch_FromMain()
    {
        var s = new Scheduler();
        var main = s.Main;
        var t = s.SpawnAction(() => main.Insert());
        s.SwitchTrap = 1;
        AssertTrapped(() => s.Schedule());
        AssertTrapped(() => s.ScheduleRemove());
        AssertTrapped(() => s.Run());
        AssertTrapped(() => t.Run());
        AssertTrapped(() => t.Switch());
        main.Switch();                          // to itself: allowed
        s.SwitchTrap = 0;
        Assert.Equal(TaskletState.Runnable, t.State);
        Assert.Equal(0, s.Steps);
        s.ScheduleRemove();                     // t inserts main back
        Assert.False(t.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TestMiscell_TestSwitchTrap_SendReceiveRaiseExceptionAndKill()
    {
        var s = new Scheduler();
        var c = new Channel(s);
        var receiver = s.Spawn(async () => { await c.Receive(); });
        s.SwitchTrap = 1;
        AssertTrapped(() => c.Send(1));         // test_send: no receiver waits yet, so it would block
        AssertTrapped(() => c.Receive());       // test_receive: would block
        s.SwitchTrap = 0;
        s.Run();                                // the receiver blocks
        s.SwitchTrap = 1;
        AssertTrapped(() => c.Send(1));         // hands over with a switch (preference -1)
        AssertTrapped(() => receiver.RaiseException(new TestError("x")));
        AssertTrapped(() => receiver.Kill());
        Assert.Equal(-1, c.Balance);
        c.Preference = 0;
        c.Send("no switch");                    // preference 0: the caller continues, so it is allowed
        s.SwitchTrap = 0;
        Assert.Equal(TaskletState.Runnable, receiver.State);
        s.Run();
        Assert.False(receiver.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TestMiscell_TestSwitchTrap_InsideATasklet_ItsScheduleRaises_ASelfSwitchDoesNot()
    {
        var s = new Scheduler();
        var log = new List<string>();
        s.Spawn(async () =>
        {
            s.SwitchTrap++;
            await s.Current.Switch();
            try { await s.Schedule(); } catch (InvalidOperationException e) { log.Add(e.Message.Split(':')[0]); }
            s.SwitchTrap--;
            await s.Schedule();
            log.Add("after");
        });
        s.SpawnAction(() => log.Add("other"));
        s.Run();
        Assert.Equal(new[] { "switch_trap", "other", "after" }, log);
        Assert.Equal(0, Stackless.SwitchTrap(0));
        Health.AssertStillWorks(s);
    }

    // ---- 7. bind(None): unbind (test_miscell TestBind) -----------------------------------------------------

    [Fact]
    public void TestMiscell_TestBind_BindNone_UnbindsAPausedTasklet_WithoutRunningItsFinally()
    {
        var s = new Scheduler();
        var fresh = new Tasklet(s);
        fresh.Bind(null);                       // test_bind: must not change the tasklet
        Assert.False(fresh.Alive);

        var finallyRan = 0;
        var t = s.Spawn(async () =>
        {
            try { await s.ScheduleRemove(); } finally { finallyRan++; }
        });
        s.Run();
        Assert.True(t.Paused);
        t.Bind(null);                           // test_unbind_ok
        Assert.False(t.Alive);
        Assert.False(t.Scheduled);
        Assert.Equal(0, finallyRan);
        Assert.Equal(0, s.AliveCount);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TestMiscell_TestBind_UnbindFails_OnTheCurrentTasklet_AScheduledOne_AndMain()
    {
        var s = new Scheduler();
        string? fromCurrent = null, onMain = null;
        var t = s.Spawn(async () => { await s.ScheduleRemove(); });
        s.SpawnAction(() =>
        {
            try { s.Current.Bind(null); } catch (InvalidOperationException e) { fromCurrent = e.Message; }
            try { s.Main.Bind(null); } catch (InvalidOperationException e) { onMain = e.Message; }
        });
        s.Run();
        Assert.Contains("current tasklet", fromCurrent);      // test_unbind_fail_current
        Assert.Equal("can't unbind the main tasklet", onMain); // test_unbind_main
        Assert.Contains("current tasklet", Assert.Throws<InvalidOperationException>(() => s.Main.Bind(null)).Message);
        t.Insert();
        Assert.Contains("scheduled", Assert.Throws<InvalidOperationException>(() => t.Bind(null)).Message); // test_unbind_fail_scheduled
        s.Run();
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TestMiscell_TestBind_BindNoneWithArgs_RebindsTheBoundFunction()
    {
        var s = new Scheduler();
        var got = new List<string>();
        var t = new Tasklet((string x) => got.Add(x), s);
        t.Bind(null, ["foo"]);
        t.Insert();
        s.Run();
        Assert.Equal(new[] { "foo" }, got);
        Assert.Equal("the tasklet was not bound to a function",
            Assert.Throws<InvalidOperationException>(() => new Tasklet(s).Bind(null, ["foo"])).Message);
        Health.AssertStillWorks(s);
    }

    // ---- 8. the schedule callback runs before the switch (scheduling.c slp_schedule_task, test_sched_cb) --------

    [Fact]
    public void TestSchedCb_InsideTheScheduleCallback_CurrentIsTheTaskletBeingLeft()
    {
        var s = new Scheduler();
        var seen = new List<string>();
        s.ScheduleCallback = (previous, next) => seen.Add($"{previous} -> {next}, current {s.Current}");
        s.Spawn(async () => { await s.Schedule(); }, "a");
        s.SpawnAction(() => { }, "b");
        s.Run();
        s.ScheduleCallback = null;
        Assert.Equal(new[]
        {
            "main -> a, current main", "a -> b, current a", "b -> a, current b", "a -> main, current a",
        }, seen);
        Health.AssertStillWorks(s);
    }

    // ---- 9. the ring: next and prev (taskletobject.c getset table), and stackless.atomic() (test_miscell TestAtomic) ----

    [Fact]
    public void TaskletObjectC_NextAndPrev_AreTheNeighboursInTheRing_OrInTheChannel()
    {
        var s = new Scheduler();
        var main = s.Main;
        Assert.Same(main, main.NextInRing);     // alone, the ring is cyclic
        var a = s.SpawnAction(() => { }, "a");
        var b = s.SpawnAction(() => { }, "b");
        Assert.Same(a, main.NextInRing);
        Assert.Same(b, a.NextInRing);
        Assert.Same(main, b.NextInRing);
        Assert.Same(b, main.PrevInRing);
        Assert.Same(main, a.PrevInRing);
        s.Run();
        var ch = new Channel(s);
        var r1 = s.Spawn(async () => { await ch.Receive(); });
        var r2 = s.Spawn(async () => { await ch.Receive(); });
        var paused = s.Spawn(async () => { await s.ScheduleRemove(); });
        s.Run();
        Assert.Same(r2, r1.NextInRing);
        Assert.Null(r2.NextInRing);
        Assert.Same(r1, r2.PrevInRing);
        Assert.Null(r1.PrevInRing);
        Assert.Null(paused.NextInRing);
        ch.Send(1);
        ch.Send(2);
        paused.Kill();
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TestMiscell_TestAtomic_AtomicCtxt_AndNopCtxt()
    {
        var s = new Scheduler();
        var log = new List<bool>();
        s.Spawn(async () =>
        {
            using (s.Atomic()) log.Add(s.Current.Atomic);   // testAtomicCtxt
            log.Add(s.Current.Atomic);
            s.Current.Atomic = true;
            using (s.Atomic()) log.Add(s.Current.Atomic);   // testAtomicNopCtxt
            log.Add(s.Current.Atomic);
            await s.Schedule();
        });
        s.Run();
        Assert.Equal(new[] { true, false, true, true }, log);
        using (s.Atomic()) Assert.True(s.Main.Atomic);
        Assert.False(s.Main.Atomic);
        Health.AssertStillWorks(s);
    }

    // ---- channels iterated from main (test_channel testSequence, synchronously) -------------------------------

    [Fact]
    public void TestChannel_Iteration_FromMain_ValuesPumpsLikeMainsOtherOperations()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        s.Spawn(async () =>
        {
            await ch.SendSequence([1, 2, 3]);
            await ch.SendException(new StopIteration());
        });
        var got = new List<int>();
        foreach (var x in ch.Values) got.Add(x);
        Assert.Equal(new[] { 1, 2, 3 }, got);

        string? fromTasklet = null;
        s.SpawnAction(() =>
        {
            try { foreach (var _ in ch.Values) { } } catch (InvalidOperationException e) { fromTasklet = e.Message; }
        }, "t");
        s.Run();
        Assert.Equal("Values is for the main tasklet; t iterates with await foreach.", fromTasklet);
        ch.Close();
        Assert.Empty(ch.Values);
        Health.AssertStillWorks(s);
    }
}
