using System.Runtime.CompilerServices;

namespace StacklessInteractive.Tests;

/// <summary>Schedule and channel callbacks, and the tick trace.</summary>
public class TraceAndCallbackTests
{
    // ---- schedule callback --------------------------------------------------------------------

    [Fact]
    public void ScheduleCallback_GetsPrevAndNextOnEverySwitch()
    {
        var s = new Scheduler();
        var calls = new List<(Tasklet? Prev, Tasklet? Next)>();
        s.ScheduleCallback = (prev, next) => calls.Add((prev, next));
        var a = s.Spawn(async () => { await s.Schedule(); });
        var b = s.Spawn(async () => { await s.Schedule(); });
        s.Run();
        var m = s.Main;
        Assert.Equal(new (Tasklet?, Tasklet?)[] { (m, a), (a, b), (b, a), (a, b), (b, m) }, calls);
    }

    [Fact]
    public void ScheduleCallback_IsNotCalledWhenPrevIsNext()
    {
        var s = new Scheduler();
        var calls = new List<(Tasklet? Prev, Tasklet? Next)>();
        s.ScheduleCallback = (prev, next) => calls.Add((prev, next));
        var t = s.Spawn(async () => { for (var i = 0; i < 3; i++) await s.Schedule(); });
        s.Run();
        Assert.Equal(4, t.Steps);
        Assert.Equal(new (Tasklet?, Tasklet?)[] { (s.Main, t), (t, s.Main) }, calls);
    }

    [Fact]
    public void ScheduleCallback_SeesMainsChannelSwitches()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var calls = new List<(Tasklet? Prev, Tasklet? Next)>();
        var p = s.Spawn(async () => { await ch.Send(1); });
        s.ScheduleCallback = (prev, next) => calls.Add((prev, next));
        ch.Receive();
        Assert.Equal(new (Tasklet?, Tasklet?)[] { (s.Main, p), (p, s.Main) }, calls);
        calls.Clear();
        s.ScheduleCallback = null;
        s.Run();
        Assert.Empty(calls);
    }

    [Fact]
    public void ScheduleCallback_IsCalledWithTheDyingTaskletAsPrev()
    {
        var s = new Scheduler();
        var calls = new List<(Tasklet? Prev, Tasklet? Next)>();
        s.ScheduleCallback = (prev, next) => calls.Add((prev, next));
        var a = s.SpawnAction(() => { });
        var b = s.SpawnAction(() => { });
        s.Run();
        Assert.Equal(new (Tasklet?, Tasklet?)[] { (s.Main, a), (a, b), (b, s.Main) }, calls);
        Assert.False(a.Alive);
    }

    // ---- channel callback ---------------------------------------------------------------------

    [Fact]
    public void ChannelCallback_GetsChannelTaskletDirectionAndWillBlock()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var calls = new List<(ChannelBase Channel, Tasklet Tasklet, bool Sending, bool WillBlock)>();
        s.ChannelCallback = (c, t, sending, willBlock) => calls.Add((c, t, sending, willBlock));
        var r = s.Spawn(async () => { await ch.Receive(); });
        var w = s.Spawn(async () => { await ch.Send(1); await ch.Send(2); });
        s.Run();
        ch.Receive();
        Assert.Equal(new (ChannelBase, Tasklet, bool, bool)[]
        {
            (ch, r, false, true),      // r receives: nobody sends yet
            (ch, w, true, false),      // w sends to the waiting r
            (ch, w, true, true),       // w's second send blocks
            (ch, s.Main, false, false) // main receives from the waiting w
        }, calls);
    }

    [Fact]
    public void ChannelCallback_IsCalledBeforeTheBlockTrapAndClosedChecks()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        ch.Close();
        var calls = new List<(ChannelBase Channel, Tasklet Tasklet, bool Sending, bool WillBlock)>();
        s.ChannelCallback = (c, t, sending, willBlock) => calls.Add((c, t, sending, willBlock));
        Assert.Throws<ChannelClosedException>(() => ch.Send(1));
        Assert.Equal(new (ChannelBase, Tasklet, bool, bool)[] { (ch, s.Main, true, true) }, calls);
    }

    [Fact]
    public void ChannelCallback_ThatTakesTheWaitingPartnerAway_LeavesTheOperationToBlock()
    {
        // The operation looks for a partner after the callback returns: a callback that throws (pending) into the
        // receiver the sender was about to meet takes it off the channel, so the send finds nobody and blocks.
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var log = new List<string>();
        var receiver = s.Spawn(async () =>
        {
            try { log.Add("received " + await ch.Receive()); }
            catch (TestError e) { log.Add("receiver raised " + e.Message); }
        });
        s.Run();
        Assert.Equal(-1, ch.Balance);
        s.ChannelCallback = (_, t, sending, willBlock) =>
        {
            if (sending && receiver.Blocked) receiver.Throw(new TestError("taken away"), pending: true);
        };
        s.Spawn(async () => { await ch.Send(5); log.Add("sent"); });
        s.Run();
        s.ChannelCallback = null;
        Assert.Equal(new[] { "receiver raised taken away" }, log);
        Assert.Equal(1, ch.Balance); // the sender waits
        Assert.Equal(5, ch.Receive().Value);
        s.Run();
        Assert.Equal(new[] { "receiver raised taken away", "sent" }, log);
        Health.AssertStillWorks(s);
    }

    // ---- trace ----------------------------------------------------------------------------

    [Fact]
    public void Trace_RecordsSpawnRunBlockHandOffScheduleAndExit_WithTheirSteps()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel(s, "ch");
        var r = s.Spawn(async () => { await ch.Receive(); }, "r");
        var w = s.Spawn(async () => { await ch.Send(42); await s.Schedule(); }, "w");
        s.Run();
        Assert.Equal(new TraceEvent[]
        {
            new(0, TraceReason.Spawn, r),
            new(0, TraceReason.Spawn, w),
            new(1, TraceReason.Run, r),
            new(1, TraceReason.BlockReceive, r, Channel: ch, Balance: -1),
            new(2, TraceReason.Run, w),
            new(2, TraceReason.HandOff, w, r, ch, 42, 0),
            new(3, TraceReason.Run, r),
            new(3, TraceReason.Exit, r),
            new(4, TraceReason.Run, w),
            new(4, TraceReason.Schedule, w),
            new(5, TraceReason.Run, w),
            new(5, TraceReason.Exit, w),
        }, s.Trace.Events);
    }

    [Fact]
    public void Trace_RecordsBlockSendWithTheValue_AndAHandOffFromAWaitingSender()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel(s);
        var w = s.Spawn(async () => { await ch.Send("v"); });
        s.Run();
        Assert.Equal("v", ch.Receive().Value);
        var events = s.Trace.Events;
        Assert.Contains(new TraceEvent(1, TraceReason.BlockSend, w, Channel: ch, Value: "v", Balance: 1), events);
        Assert.Equal(new TraceEvent(1, TraceReason.HandOff, w, s.Main, ch, "v", 0), events[^1]);
    }

    [Fact]
    public void Trace_RecordsKillWithTheKillerAsPartner()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel(s);
        var t = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        s.Trace.Clear();
        t.Kill();
        Assert.Equal(new TraceEvent[]
        {
            new(1, TraceReason.Kill, t, s.Main),
            new(1, TraceReason.Unblock, t, Channel: ch, Balance: 0),
            new(2, TraceReason.Run, t),
            new(2, TraceReason.Exit, t),
        }, s.Trace.Events);
    }

    [Fact]
    public void Trace_RecordsThrowWithTheException()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel(s);
        var t = s.Spawn(async () =>
        {
            try { await ch.Receive(); } catch (TestError) { }
        });
        s.Run();
        s.Trace.Clear();
        var error = new TestError("thrown");
        t.Throw(error);
        Assert.Equal(new TraceEvent[]
        {
            new(1, TraceReason.Throw, t, s.Main, Value: error),
            new(1, TraceReason.Unblock, t, Channel: ch, Balance: 0),
            new(2, TraceReason.Run, t),
            new(2, TraceReason.Exit, t),
        }, s.Trace.Events);
    }

    [Fact]
    public void Trace_RecordsAnExceptionThatKillsATasklet()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var error = new TestError("died");
        var t = s.SpawnAction(() => throw error);
        Assert.Throws<TestError>(() => s.Run());
        Assert.Equal(new TraceEvent(1, TraceReason.Exception, t, Value: error), s.Trace.Events[^1]);
    }

    [Fact]
    public void Trace_RecordsTaskletExitAsAnOrdinaryExit()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var t = s.SpawnAction(() => throw new TaskletExit());
        s.Run();
        Assert.Equal(new TraceEvent(1, TraceReason.Exit, t), s.Trace.Events[^1]);
    }

    [Fact]
    public void Trace_RecordsTheWatchdogInterruption()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var t = s.Spawn(async () => { while (true) await s.Schedule(); });
        Assert.Same(t, s.Run(1));
        Assert.Equal(new TraceEvent[]
        {
            new(0, TraceReason.Spawn, t),
            new(1, TraceReason.Run, t),
            new(1, TraceReason.Schedule, t),
            new(1, TraceReason.Interrupted, t),
        }, s.Trace.Events);
    }

    [Fact]
    public void Trace_RecordsScheduleRemove()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var t = s.Spawn(async () => { await s.ScheduleRemove(); });
        s.Run();
        Assert.Equal(new TraceEvent(1, TraceReason.ScheduleRemove, t), s.Trace.Events[^1]);
    }

    [Fact]
    public void Trace_RecordsChannelCloseAndOpen()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel(s);
        ch.Close();
        ch.Open();
        Assert.Equal(new TraceEvent[]
        {
            new(0, TraceReason.ChannelClose, s.Main, Channel: ch),
            new(0, TraceReason.ChannelOpen, s.Main, Channel: ch),
        }, s.Trace.Events);
    }

    [Fact]
    public void Trace_StepNumbersIncrease_OneRunEventPerStep()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel<int>(s);
        s.Spawn(async () => { for (var i = 0; i < 5; i++) await ch.Send(i); });
        s.Spawn(async () => { for (var i = 0; i < 5; i++) { await ch.Receive(); await s.Schedule(); } });
        s.Spawn(async () => { for (var i = 0; i < 4; i++) await s.Schedule(); });
        s.Run();
        var events = s.Trace.Events;
        for (var i = 1; i < events.Count; i++) Assert.True(events[i].Step >= events[i - 1].Step, $"event {i} goes back in time");
        var runSteps = events.Where(e => e.Reason == TraceReason.Run).Select(e => e.Step).ToList();
        Assert.Equal(Enumerable.Range(1, (int)s.Steps).Select(i => (long)i), runSteps);
        Assert.Equal(5, events.Count(e => e.Reason == TraceReason.HandOff));
        Assert.Equal(3, events.Count(e => e.Reason == TraceReason.Exit));
    }

    [Fact]
    public void Trace_Null_RecordsNothingAndCostsNothing()
    {
        var s = new Scheduler();
        Assert.Null(s.Trace);
        s.SpawnAction(() => { });
        s.Run();
        var recorder = new TraceRecorder();
        s.Trace = recorder;
        s.Trace = null;
        s.SpawnAction(() => { });
        s.Run();
        Assert.Equal(0, recorder.Total);
    }

    [Fact]
    public void TraceCap_KeepsTheNewestEvents_AndCountsTheDropped()
    {
        var s = new Scheduler { Trace = new TraceRecorder(3) };
        var a = s.SpawnAction(() => { });
        var b = s.SpawnAction(() => { });
        var c = s.SpawnAction(() => { });
        s.Run();
        var trace = s.Trace;
        Assert.Equal(3, trace.Capacity);
        Assert.Equal(3, trace.Count);
        Assert.Equal(9, trace.Total); // 3 spawns, 3 runs, 3 exits
        Assert.Equal(6, trace.Dropped);
        Assert.Equal(new TraceEvent[]
        {
            new(2, TraceReason.Exit, b),
            new(3, TraceReason.Run, c),
            new(3, TraceReason.Exit, c),
        }, trace.Events);
        Assert.False(a.Alive);

        trace.Clear();
        Assert.Equal(0, trace.Count);
        Assert.Equal(0, trace.Dropped);
        Assert.Empty(trace.Events);
    }

    // The ring names tasklets and channels by handles that the recorder renumbers when its table fills; these
    // tests make it fill (many objects, a small ring) and check that every kept event still names the right ones.

    [Fact]
    public void Trace_NamesTheRightTaskletsAndChannels_AfterItsHandleTableIsCompacted()
    {
        const int count = 100; // 201 objects (main, 100 tasklets, 100 channels): more than the first table of 64
        var s = new Scheduler { Trace = new TraceRecorder(10) };
        var channels = new List<Channel<int>>();
        var tasklets = new List<Tasklet>();
        for (var i = 0; i < count; i++)
        {
            var ch = new Channel<int>(s);
            channels.Add(ch);
            tasklets.Add(s.Spawn(async () => { await ch.Receive(); }));
        }
        s.Run(); // each runs and blocks on its channel
        for (var i = 0; i < count; i++) channels[i].Send(i); // the receiver runs at once and ends

        // Per send: the hand-off from main, then the receiver's step and its exit.
        var expected = new List<(TraceReason, Tasklet, Tasklet?, ChannelBase?, object?)>();
        for (var i = 0; i < count; i++)
        {
            expected.Add((TraceReason.HandOff, s.Main, tasklets[i], channels[i], i));
            expected.Add((TraceReason.Run, tasklets[i], null, null, null));
            expected.Add((TraceReason.Exit, tasklets[i], null, null, null));
        }
        var kept = s.Trace.Events.Select(e => (e.Reason, e.Tasklet, e.Partner, e.Channel, e.Value)).ToList();
        Assert.Equal(expected.TakeLast(10), kept);
        Assert.Equal(6 * count, s.Trace.Total); // spawn, run, block; then hand-off, run, exit
    }

    // A differential check of the handles: random programs (tasklets sending, receiving and yielding on a few
    // channels, some killed) run twice, once into a ring large enough to keep every event and once into a small
    // one that drops and compacts all the time. At every switch the small ring must hold exactly the events the
    // large one had last recorded by then (read that often, so that events written before a compaction are read
    // after it, not only overwritten).
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Trace_ASmallRing_KeepsExactlyTheLastEventsOfALargeOne_OnRandomPrograms(int seed)
    {
        var all = RunRandomProgram(seed, capacity: 1_000_000, snapshots: null);
        Assert.True(all.Count > 300, $"the program recorded only {all.Count} events");
        foreach (var capacity in new[] { 1, 2, 3, 10, 77 })
        {
            var snapshots = new List<(long Total, List<EventIds> Events)>();
            var last = RunRandomProgram(seed, capacity, snapshots);
            Assert.Equal(all.TakeLast(capacity), last);
            Assert.True(snapshots.Count > 100, $"only {snapshots.Count} switches");
            foreach (var (total, events) in snapshots) Assert.Equal(all.Take((int)total).TakeLast(capacity), events);
        }
    }

    private readonly record struct EventIds(long Step, TraceReason Reason, int Tasklet, int? Partner, int? Channel, object? Value, int Balance);

    private static List<EventIds> RunRandomProgram(int seed, int capacity, List<(long, List<EventIds>)>? snapshots)
    {
        var random = new Random(seed);
        var trace = new TraceRecorder(capacity);
        var s = new Scheduler { Trace = trace };
        // A wrong handle can resolve to null: -1 then, not an exception (the scheduler would swallow the callback's).
        List<EventIds> Ids() => trace.Events.Select(e => new EventIds(e.Step, e.Reason, e.Tasklet?.Id ?? -1, e.Partner?.Id, e.Channel?.Id, e.Value, e.Balance)).ToList();
        if (snapshots is not null) s.ScheduleCallback = (_, _) => snapshots.Add((trace.Total, Ids()));
        var channels = Enumerable.Range(0, 4).Select(_ => new Channel<int>(s)).ToList();
        var tasklets = new List<Tasklet>();
        for (var i = 0; i < 80; i++) // with main and the channels, more objects than the table's first 64 slots
        {
            var ops = Enumerable.Range(0, 12).Select(_ => (Kind: random.Next(3), Channel: channels[random.Next(channels.Count)], Value: random.Next(100))).ToList();
            tasklets.Add(s.Spawn(async () =>
            {
                foreach (var (kind, channel, value) in ops)
                {
                    if (kind == 0) await channel.Send(value);
                    else if (kind == 1) await channel.Receive();
                    else await s.Schedule();
                }
            }));
        }
        for (var round = 0; round < 5; round++)
        {
            s.Run(25)?.Insert(); // the watchdog's interruption goes back in the queue
            var victim = tasklets[random.Next(tasklets.Count)];
            if (victim.Alive) victim.Kill(); // unblocks it from its channel if it waits on one
        }
        s.Run();
        return Ids();
    }

    [Fact]
    public void Trace_ForgetsTheTaskletsOfDroppedEvents()
    {
        var s = new Scheduler { Trace = new TraceRecorder(10) };
        var early = SpawnAndRunOne(s);
        for (var i = 0; i < 100; i++) s.SpawnAction(() => { }); // 300 events: the early ones are dropped
        s.Run();
        GcAssert.Collected(early, "a tasklet that no kept event names is not kept alive by the recorder");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference SpawnAndRunOne(Scheduler s)
    {
        var t = s.SpawnAction(() => { });
        s.Run();
        return new WeakReference(t);
    }

    [Fact]
    public void Trace_TwoRecordersInTurn_EachNamesItsOwnEventsRight()
    {
        var s = new Scheduler();
        var first = new TraceRecorder();
        var second = new TraceRecorder();
        async TaskletBody Loop() { for (var i = 0; i < 3; i++) await s.Schedule(); }
        s.Spawn(Loop, "a");
        s.Spawn(Loop, "b");
        s.Trace = first;
        s.Run(1)!.Insert(); // a, interrupted by the watchdog and put back
        s.Trace = second;
        s.Run(1)!.Insert(); // b, which the second recorder numbers as the first one numbered a
        s.Trace = first;
        s.Run(2)!.Insert(); // a, then b: the first recorder must not take b's number for a
        string[] Names(TraceRecorder r) => r.Events.Select(e => $"{e.Reason} {e.Tasklet.Name}").ToArray();
        Assert.Equal(["Run a", "Schedule a", "Interrupted a", "Run a", "Schedule a", "Run b", "Schedule b", "Interrupted b"], Names(first));
        Assert.Equal(["Run b", "Schedule b", "Interrupted b"], Names(second));
    }

    [Fact]
    public void TraceCapacity_MustBePositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceRecorder(0));
        Assert.Equal(1, new TraceRecorder(1).Capacity);
    }
}
