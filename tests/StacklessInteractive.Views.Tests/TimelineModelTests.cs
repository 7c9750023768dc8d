namespace StacklessInteractive.Views.Tests;

/// <summary>The lane reconstruction: trace events to per-tasklet, per-step states and hand-offs.</summary>
public class TimelineModelTests
{
    private static LaneState[] Row(TimelineModel m, Tasklet t) =>
        Enumerable.Range((int)m.FirstStep, (int)m.StepCount).Select(step => m.LaneOf(t)!.StateAt(step)).ToArray();

    [Fact]
    public void ProducerConsumer_StatesPerStep()
    {
        var (s, producer, consumer, _) = Scenarios.ProducerConsumer();
        var m = TimelineModel.Build(s.Events());

        Assert.Equal(1, m.FirstStep);
        Assert.Equal(5, m.LastStep);
        Assert.Equal(new[] { producer, consumer }, m.Lanes.Select(l => l.Tasklet));
        Assert.Equal(new[] { LaneState.Running, LaneState.BlockedSend, LaneState.Running, LaneState.Runnable, LaneState.Running }, Row(m, producer));
        Assert.Equal(new[] { LaneState.Runnable, LaneState.Running, LaneState.BlockedReceive, LaneState.Running, LaneState.Dead }, Row(m, consumer));
        Assert.Same(producer, m.RunnerAt(1));
        Assert.Same(consumer, m.RunnerAt(4));
    }

    [Fact]
    public void ProducerConsumer_HandOffsCarrySenderReceiverStepAndValue()
    {
        var (s, producer, consumer, ch) = Scenarios.ProducerConsumer();
        var m = TimelineModel.Build(s.Events());
        Assert.Equal(new (long, Tasklet, Tasklet, object?)[] { (2, producer, consumer, 1), (3, producer, consumer, 2) },
            m.HandOffs.Select(h => (h.Step, h.From, h.To, h.Value)));
        Assert.All(m.HandOffs, h => Assert.Same(ch, h.Channel));
    }

    [Fact]
    public void Segments_CoverEveryStepWithoutGapsAndMergeEqualNeighbours()
    {
        var s = Scenarios.PingPong(50);
        var m = TimelineModel.Build(s.Events());
        foreach (var lane in m.Lanes)
        {
            Assert.Equal(m.FirstStep, lane.Segments[0].Start);
            Assert.Equal(m.LastStep, lane.Segments[^1].End);
            for (var i = 1; i < lane.Segments.Count; i++)
            {
                Assert.Equal(lane.Segments[i - 1].End + 1, lane.Segments[i].Start);
                Assert.NotEqual(lane.Segments[i - 1].State, lane.Segments[i].State);
            }
        }
        // Exactly one lane runs each step, and it is the step's runner.
        for (var step = m.FirstStep; step <= m.LastStep; step++)
            Assert.Equal(m.RunnerAt(step), Assert.Single(m.Lanes, l => l.StateAt(step) == LaneState.Running).Tasklet);
        Assert.Equal(50, m.HandOffs.Count);
    }

    [Fact]
    public void TaskletSpawnedLater_IsNotCreatedBeforeItsSpawn()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var a = s.Spawn(async () => { await s.Schedule(); await s.Schedule(); }, name: "a");
        Tasklet? late = null;
        var spawner = s.Spawn(async () => { late = s.Spawn(async () => { await s.Schedule(); }, name: "late"); await s.Schedule(); }, name: "spawner");
        s.Run();
        var m = TimelineModel.Build(s.Events());
        // Step 1 a, step 2 spawner (spawns late), step 3 a, step 4 late, ...
        Assert.Same(spawner, m.RunnerAt(2));
        var lane = m.LaneOf(late!)!;
        Assert.Equal(LaneState.NotCreated, lane.StateAt(1));
        Assert.Equal(LaneState.Runnable, lane.StateAt(2)); // created during step 2: drawn from its creation on
        Assert.Equal(LaneState.Runnable, lane.StateAt(3));
        Assert.Equal(LaneState.Running, lane.StateAt(4));
        Assert.Equal(new[] { a, spawner, late }, m.Lanes.Select(l => l.Tasklet));
    }

    [Fact]
    public void MainReceiving_GetsALaneFirstAndItsHandOffs()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel<int>(s, name: "ch");
        var producer = s.Spawn(async () => { await ch.Send(1); await ch.Send(2); }, name: "producer");
        Assert.Equal(1, ch.Receive().Value);
        Assert.Equal(2, ch.Receive().Value);
        s.Run();
        var m = TimelineModel.Build(s.Events());

        Assert.Same(s.Main, m.Lanes[0].Tasklet);
        Assert.Equal(new[] { s.Main, producer }, m.Lanes.Select(l => l.Tasklet));
        Assert.Equal(LaneState.BlockedReceive, m.Lanes[0].StateAt(1)); // main blocked before step 1, woken during it
        Assert.Equal(new[] { (1L, producer, s.Main), (2L, producer, s.Main) }, m.HandOffs.Select(h => (h.Step, h.From, h.To)));
    }

    [Fact]
    public void KilledWhileBlocked_IsBlockedInTheKillStepThenRunsItsEndThenDead()
    {
        var (s, t1, t2, _, _) = Scenarios.Deadlock();
        t1.Kill();
        var m = TimelineModel.Build(s.Events());
        // Steps: 1 t1 blocks receiving, 2 t2 blocks receiving (main kills t1 after it), 3 t1 unwinds.
        Assert.Equal(3, m.LastStep);
        Assert.Equal(new[] { LaneState.Running, LaneState.BlockedReceive, LaneState.Running }, Row(m, t1));
        Assert.Equal(new[] { LaneState.Runnable, LaneState.Running, LaneState.BlockedReceive }, Row(m, t2));
        Assert.Contains(m.Lanes, l => l.Tasklet == s.Main); // main appears as the killer
    }

    [Fact]
    public void WatchdogInterrupt_PausesTheTaskletUntilInserted()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var a = s.Spawn(async () => { for (var i = 0; i < 5; i++) await s.Schedule(); }, name: "a");
        var b = s.Spawn(async () => { for (var i = 0; i < 3; i++) await s.Schedule(); }, name: "b");
        Assert.Same(a, s.Run(3)); // steps a, b, a: a is interrupted and paused
        s.Run();                  // b alone: steps 4..6
        var m = TimelineModel.Build(s.Events());
        Assert.Equal(6, m.LastStep);
        Assert.Equal(new[] { LaneState.Running, LaneState.Runnable, LaneState.Running, LaneState.Paused, LaneState.Paused, LaneState.Paused }, Row(m, a));
        Assert.Equal(LaneState.Running, m.LaneOf(b)!.StateAt(6));
    }

    [Fact]
    public void TraceThatDroppedItsStart_InfersTheStateOfTaskletsAliveBeforeIt()
    {
        // Capacity 5 keeps: [3 HandOff producer->consumer, 4 Run consumer, 4 Exit, 5 Run producer, 5 Exit].
        var (s, producer, consumer, _) = Scenarios.ProducerConsumer(capacity: 5);
        Assert.Equal(8, s.Trace!.Dropped);
        var m = TimelineModel.Build(s.Events());
        Assert.Equal(4, m.FirstStep);
        Assert.Equal(new[] { LaneState.Runnable, LaneState.Running }, Row(m, producer));
        Assert.Equal(new[] { LaneState.Running, LaneState.Dead }, Row(m, consumer));
        Assert.Empty(m.HandOffs); // the hand-off of step 3 is before the first step drawn
    }

    [Fact]
    public void FirstEventOfAWindow_TellsWhereATaskletWas()
    {
        var (s, producer, consumer, _) = Scenarios.ProducerConsumer();
        // From step 3 on: producer's step begins (it was runnable); consumer is handed a value by it (it was blocked receiving).
        var window = s.Events().Where(e => e.Step >= 3).ToList();
        var m = TimelineModel.Build(window);
        Assert.Equal(3, m.FirstStep);
        Assert.Equal(LaneState.Running, m.LaneOf(producer)!.StateAt(3));
        Assert.Equal(LaneState.BlockedReceive, m.LaneOf(consumer)!.StateAt(3));
        var initial = TimelineModel.InferInitialStates(window, window.Where(e => e.Reason == TraceReason.Run).ToDictionary(e => e.Step, e => e.Tasklet));
        Assert.Equal(LaneState.Runnable, initial[producer]);
        Assert.Equal(LaneState.BlockedReceive, initial[consumer]);
    }

    [Fact]
    public void SenderWokenByAReceiver_IsInferredBlockedSending()
    {
        var (s, producer, consumer, _) = Scenarios.ProducerConsumer();
        var window = s.Events().Where(e => e.Step == 2).ToList(); // consumer runs and takes the waiting producer's 1
        var m = TimelineModel.Build(window);
        Assert.Equal(LaneState.BlockedSend, m.LaneOf(producer)!.StateAt(2));
        Assert.Equal(LaneState.Running, m.LaneOf(consumer)!.StateAt(2));
    }

    [Fact]
    public void EmptyTrace_HasNoLanesAndNoSteps()
    {
        var m = TimelineModel.Build([]);
        Assert.True(m.IsEmpty);
        Assert.Equal(0, m.StepCount);
        Assert.Empty(m.HandOffs);
    }

    [Fact]
    public void DuplicateNames_GetTheirIdsInTheLabels()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var w1 = s.Spawn(async () => { await s.Schedule(); }, name: "worker");
        var w2 = s.Spawn(async () => { await s.Schedule(); }, name: "worker");
        s.Spawn(async () => { await s.Schedule(); }, name: "solo");
        s.Run();
        var m = TimelineModel.Build(s.Events());
        Assert.Equal(new[] { $"worker #{w1.Id}", $"worker #{w2.Id}", "solo" }, m.Lanes.Select(l => l.Label));
    }

    [Fact]
    public void Summary_BucketsByMajorityStateAndCountsHandOffs()
    {
        var s = Scenarios.PingPong(100);
        var m = TimelineModel.Build(s.Events());
        var summary = TimelineSummary.Of(m, 10);
        var expectedSize = (m.StepCount + 9) / 10;
        Assert.Equal(expectedSize, summary.BucketSize);
        Assert.Equal((int)((m.StepCount + expectedSize - 1) / expectedSize), summary.BucketCount);
        Assert.Equal(100, summary.HandOffCounts.Sum());
        for (var lane = 0; lane < m.Lanes.Count; lane++)
        {
            for (var b = 0; b < summary.BucketCount; b++)
            {
                // The majority state is the one the lane spends the most steps of the bucket in.
                var counts = Enumerable.Range(0, (int)(summary.BucketEnd(b) - summary.BucketStart(b) + 1))
                    .GroupBy(k => m.Lanes[lane].StateAt(summary.BucketStart(b) + k)).ToDictionary(g => g.Key, g => g.Count());
                Assert.Equal(counts.Values.Max(), counts[summary.States[lane][b]]);
            }
        }
        Assert.Equal(m.LastStep, summary.BucketEnd(summary.BucketCount - 1));
    }
}
