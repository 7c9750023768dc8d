namespace StacklessInteractive.Views;

/// <summary>
/// The timeline of a trace: for each tasklet that appears in it, its state at every step, and the channel
/// hand-offs between tasklets. The SVG timeline and the charts are both drawn from it.
/// </summary>
/// <remarks>
/// <para>How the events map to steps (see <see cref="Scheduler"/> and <see cref="ChannelBase"/>): the
/// <see cref="TraceReason.Run"/> event of step <c>n</c> carries <c>n</c>, and so does everything the running
/// tasklet does until the next step begins; what main does between steps (a spawn, a receive) carries the
/// number of the step before, 0 before the first.</para>
/// <para>A lane's cell at step <c>n</c> is <see cref="LaneState.Running"/> for the tasklet that ran it, else the
/// tasklet's state when the step began, or, for a tasklet created during the step, its state when the step
/// ended. So a receiver woken by a hand-off is still drawn blocked in the step that wakes it, and the arrow
/// lands on its blocked cell.</para>
/// <para>The trace does not record everything: <see cref="Tasklet.Insert"/>, <see cref="Tasklet.Remove"/> and
/// <c>Run()</c>/<c>Switch()</c> of another tasklet leave no event, so a tasklet they move keeps the state its
/// last event gave it (a tasklet that switched away without an event is taken as runnable). Main is drawn
/// paused (out of the ring while <c>Run()</c> drives) except while it waits in a channel or in the run queue.
/// A tasklet already alive when the trace begins gets the state its first event implies.</para>
/// </remarks>
public sealed class TimelineModel
{
    private TimelineModel(long firstStep, long lastStep, IReadOnlyList<TaskletLane> lanes, IReadOnlyList<HandOffMark> handOffs,
        IReadOnlyDictionary<long, Tasklet> runners)
    {
        FirstStep = firstStep;
        LastStep = lastStep;
        Lanes = lanes;
        HandOffs = handOffs;
        _runners = runners;
    }

    private readonly IReadOnlyDictionary<long, Tasklet> _runners;

    /// <summary>The first step drawn (the first step that ran in the trace).</summary>
    public long FirstStep { get; }

    /// <summary>The last step drawn; <see cref="FirstStep"/> - 1 when the trace is empty.</summary>
    public long LastStep { get; }

    /// <summary>How many steps (columns) the timeline has.</summary>
    public long StepCount => LastStep - FirstStep + 1;

    /// <summary>True when the trace had no events.</summary>
    public bool IsEmpty => Lanes.Count == 0;

    /// <summary>One lane per tasklet in the trace, ordered by tasklet id (main, id 0, first when it appears).</summary>
    public IReadOnlyList<TaskletLane> Lanes { get; }

    /// <summary>The hand-offs in the drawn steps, in trace order.</summary>
    public IReadOnlyList<HandOffMark> HandOffs { get; }

    /// <summary>The tasklet that ran <paramref name="step"/>, or null when no step of that number is in the trace.</summary>
    public Tasklet? RunnerAt(long step) => _runners.TryGetValue(step, out var t) ? t : null;

    /// <summary>
    /// The indices of the lanes to draw, in lane order: every <see cref="TimelineOptions.Pinned"/> lane (up to
    /// <see cref="TimelineOptions.MaxLanes"/>), then the others, lowest ids first, up to that many in all.
    /// </summary>
    public IReadOnlyList<int> LanesToDraw(TimelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var max = Math.Max(1, options.MaxLanes);
        var chosen = new SortedSet<int>();
        if (options.Pinned is { } pinned)
            for (var i = 0; i < Lanes.Count && chosen.Count < max; i++)
                if (pinned(Lanes[i].Tasklet)) chosen.Add(i);
        for (var i = 0; i < Lanes.Count && chosen.Count < max; i++) chosen.Add(i);
        return chosen.ToList();
    }

    /// <summary>The lane of <paramref name="tasklet"/>, or null.</summary>
    public TaskletLane? LaneOf(Tasklet tasklet) => Lanes.FirstOrDefault(l => l.Tasklet == tasklet);

    /// <summary>Reconstructs every lane's state per step, and the hand-offs, from <paramref name="events"/> (oldest first).</summary>
    public static TimelineModel Build(IReadOnlyList<TraceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var runners = new Dictionary<long, Tasklet>();
        foreach (var e in events)
            if (e.Reason == TraceReason.Run) runners[e.Step] = e.Tasklet;
        if (events.Count == 0) return new TimelineModel(0, -1, [], [], runners);

        var first = runners.Count > 0 ? runners.Keys.Min() : events.Min(e => e.Step);
        var last = Math.Max(first, events.Max(e => e.Step));
        var initial = InferInitialStates(events, runners);

        var lanes = new Dictionary<Tasklet, LaneBuilder>(ReferenceEqualityComparer.Instance);
        var handOffs = new List<HandOffMark>();
        LaneBuilder Lane(Tasklet t)
        {
            if (!lanes.TryGetValue(t, out var lane))
            {
                lane = new LaneBuilder(t, initial[t]);
                lane.SetCell(first, lane.State); // alive before the trace: its inferred state from the first step on
                lanes.Add(t, lane);
            }
            return lane;
        }

        var touched = new List<LaneBuilder>();
        var i = 0;
        while (i < events.Count)
        {
            var step = events[i].Step;
            var end = i;
            while (end < events.Count && events[end].Step == step) end++;
            runners.TryGetValue(step, out var runner);

            // Where each tasklet the step touches stood when the step began.
            touched.Clear();
            for (var k = i; k < end; k++)
            {
                Touch(Lane(events[k].Tasklet));
                if (events[k].Partner is { } p) Touch(Lane(p));
            }
            for (var k = i; k < end; k++)
            {
                var e = events[k];
                Apply(e, lanes);
                if (e.Reason == TraceReason.HandOff && e.Partner is { } receiver && step >= first)
                    handOffs.Add(new HandOffMark(step, e.Tasklet, receiver, e.Channel, e.Value));
            }
            // The step is over: a runner that switched away without saying why (a preference switch, run/switch of
            // another tasklet) is back in the run queue.
            if (runner is not null && lanes[runner].State == LaneState.Running) lanes[runner].State = LaneState.Runnable;

            if (step >= first)
            {
                foreach (var lane in touched)
                {
                    var cell = lane.Tasklet == runner ? LaneState.Running
                        : lane.StartState != LaneState.NotCreated ? lane.StartState
                        : lane.State;
                    lane.SetCell(step, cell);
                    if (step < last) lane.SetCell(step + 1, lane.State);
                }
            }
            else
            {
                foreach (var lane in touched) lane.SetCell(first, lane.State);
            }
            i = end;
        }

        var ordered = lanes.Values.OrderBy(l => l.Tasklet.Id).ToList();
        var labels = UniqueLabels(ordered.Select(l => l.Tasklet).ToList());
        var result = ordered.Select((l, n) => new TaskletLane(l.Tasklet, labels[n], l.Segments(last))).ToList();
        return new TimelineModel(first, last, result, handOffs, runners);

        void Touch(LaneBuilder lane)
        {
            if (lane.TouchedAt == i) return;
            lane.TouchedAt = i;
            lane.StartState = lane.State;
            touched.Add(lane);
        }
    }

    /// <summary>The state change an event makes.</summary>
    private static void Apply(in TraceEvent e, Dictionary<Tasklet, LaneBuilder> lanes)
    {
        var lane = lanes[e.Tasklet];
        switch (e.Reason)
        {
            case TraceReason.Spawn: lane.State = LaneState.Runnable; break;
            case TraceReason.Run: lane.State = LaneState.Running; break;
            case TraceReason.Schedule: lane.State = LaneState.Runnable; break;
            case TraceReason.ScheduleRemove: lane.State = LaneState.Paused; break;
            case TraceReason.BlockSend: lane.State = LaneState.BlockedSend; break;
            case TraceReason.BlockReceive: lane.State = LaneState.BlockedReceive; break;
            case TraceReason.HandOff:
                // Whichever of the two was waiting in the channel is runnable again.
                if (IsBlocked(lane.State)) lane.State = LaneState.Runnable;
                if (e.Partner is { } receiver && IsBlocked(lanes[receiver].State)) lanes[receiver].State = LaneState.Runnable;
                break;
            case TraceReason.Unblock: if (IsBlocked(lane.State)) lane.State = LaneState.Paused; break; // a kill or throw queues it next
            case TraceReason.Exit:
            case TraceReason.Exception: lane.State = LaneState.Dead; break;
            case TraceReason.Kill:
            case TraceReason.Throw: if (lane.State != LaneState.Dead) lane.State = LaneState.Runnable; break;
            case TraceReason.Interrupted: lane.State = LaneState.Paused; break;
            case TraceReason.BlockIO: lane.State = LaneState.WaitingIO; break;
            case TraceReason.UnblockIO: lane.State = LaneState.Runnable; break;
            default: break; // IdleWait, ChannelClose, ChannelOpen change no tasklet's state
        }
    }

    private static bool IsBlocked(LaneState s) => s is LaneState.BlockedSend or LaneState.BlockedReceive;

    /// <summary>
    /// The state of each tasklet before the trace's first event about it: not created when that event is its
    /// spawn, else what that event implies (a tasklet whose step begins was runnable, a receiver that a sender
    /// wakes was blocked receiving, ...). Main starts paused.
    /// </summary>
    internal static Dictionary<Tasklet, LaneState> InferInitialStates(IReadOnlyList<TraceEvent> events, IReadOnlyDictionary<long, Tasklet> runners)
    {
        var decided = new Dictionary<Tasklet, LaneState>(ReferenceEqualityComparer.Instance);
        var pending = new HashSet<Tasklet>(ReferenceEqualityComparer.Instance);
        void Decide(Tasklet t, LaneState? s)
        {
            if (decided.ContainsKey(t)) return;
            if (t.IsMain) { decided[t] = LaneState.Paused; pending.Remove(t); return; }
            if (s is { } state) { decided[t] = state; pending.Remove(t); }
            else pending.Add(t);
        }
        foreach (var e in events)
        {
            var t = e.Tasklet;
            runners.TryGetValue(e.Step, out var runner);
            switch (e.Reason)
            {
                case TraceReason.Spawn: Decide(t, LaneState.NotCreated); break;
                case TraceReason.HandOff:
                    Decide(t, t == runner || t.IsMain ? LaneState.Runnable : LaneState.BlockedSend);
                    if (e.Partner is { } r) Decide(r, r == runner ? LaneState.Runnable : LaneState.BlockedReceive);
                    break;
                case TraceReason.Unblock: Decide(t, e.Balance > 0 ? LaneState.BlockedSend : LaneState.BlockedReceive); break;
                case TraceReason.UnblockIO: Decide(t, LaneState.WaitingIO); break;
                case TraceReason.Kill:
                case TraceReason.Throw:
                    Decide(t, null); // the next event tells (an Unblock when it was blocked)
                    if (e.Partner is { } killer) Decide(killer, LaneState.Runnable);
                    break;
                case TraceReason.IdleWait: Decide(t, null); break;
                default: Decide(t, LaneState.Runnable); break; // it ran (or was queued to): it was in the ring
            }
        }
        foreach (var t in pending) decided.TryAdd(t, LaneState.Runnable);
        return decided;
    }

    /// <summary>Names made unique: a name used by several tasklets gets " #id" on each.</summary>
    internal static IReadOnlyList<string> UniqueLabels(IReadOnlyList<Tasklet> tasklets)
    {
        var counts = tasklets.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.Count());
        return tasklets.Select(t => counts[t.Name] > 1 ? $"{t.Name} #{t.Id}" : t.Name).ToList();
    }

    private sealed class LaneBuilder(Tasklet tasklet, LaneState initial)
    {
        private readonly List<(long Step, LaneState State)> _cells = [];
        public Tasklet Tasklet { get; } = tasklet;
        public LaneState State { get; set; } = initial;
        public LaneState StartState { get; set; } = initial;
        public int TouchedAt { get; set; } = -1;

        /// <summary>The lane shows <paramref name="state"/> from <paramref name="step"/> until the next cell set.</summary>
        public void SetCell(long step, LaneState state)
        {
            if (_cells.Count > 0 && _cells[^1].Step >= step)
            {
                // Steps only move forward; a later entry for the same step overrides the one set ahead of it.
                while (_cells.Count > 0 && _cells[^1].Step >= step) _cells.RemoveAt(_cells.Count - 1);
            }
            _cells.Add((step, state));
        }

        public IReadOnlyList<LaneSegment> Segments(long last)
        {
            var segments = new List<LaneSegment>();
            for (var k = 0; k < _cells.Count; k++)
            {
                var (start, state) = _cells[k];
                var end = k + 1 < _cells.Count ? _cells[k + 1].Step - 1 : last;
                if (end < start) continue;
                if (segments.Count > 0 && segments[^1].State == state && segments[^1].End == start - 1)
                    segments[^1] = segments[^1] with { End = end };
                else segments.Add(new LaneSegment(start, end, state));
            }
            return segments;
        }
    }
}
