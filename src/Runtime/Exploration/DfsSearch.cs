using System.Text;

namespace StacklessInteractive;

/// <summary>
/// Exhaustive depth-first search over schedules, one run per schedule from a fresh program (stateless model
/// checking), with sleep sets as partial-order reduction (Godefroid 1996).
/// </summary>
/// <remarks>
/// <para>The stack holds one frame per choice point of the current schedule. A run replays the frames' choices,
/// then opens new frames, taking the first move each time; after it, the deepest frame with a move left takes it.</para>
/// <para><b>The reduction.</b> Each step's footprint is recorded while it runs: the channels it sent, received,
/// selected, closed or reopened on. Two steps are independent when both footprints are channel-only and disjoint.
/// A step that touched no channel, printed, spawned, killed, switched to or threw into a tasklet, or chose a select
/// case, is dependent on every step. At a choice point, once a move has been explored it goes to sleep in the
/// siblings explored after it, and stays asleep down their subtrees until a step dependent on it runs. A run
/// whose every runnable tasklet sleeps is cut (<see cref="Explorer"/> counts it as pruned).</para>
/// <para><b>Why it is sound here.</b> A step is atomic (cooperative scheduling: nothing else runs until it switches)
/// and deterministic given the state it starts from. Independent steps touch disjoint channels and nothing else that
/// another step can see, so running them in either order gives the same state and the same output (the run queue is
/// a set to the search: every runnable tasklet is tried). Sleep sets skip only orders equivalent to one already
/// explored, so every reachable deadlock, exception, assertion and output is still reached. What the reduction
/// assumes: a step that touched channels touched no shared variable, no shared object and no outside state; tasklets
/// communicate through channels (a step that touched no channel is treated as touching everything, which covers
/// shared variables read and written around <c>Schedule()</c>). For a program that shares variables across channel
/// operations, turn the reduction off.</para>
/// </remarks>
internal sealed class DfsSearch : ScheduleStrategy
{
    private sealed class Frame
    {
        public required int[] Ids;          // the runnable tasklets' ids in offered order; empty for a select's cases
        public required int Count;
        public required List<(int Id, Footprint Footprint)> Sleep;
        public readonly List<(int Id, Footprint Footprint)> Done = [];
        public int Chosen;
        public int DeviationsBefore;        // non-zero choices above this frame: with a deviation bound, whether it may deviate
        public Footprint? ChosenFootprint;
        public bool IsCase => Ids.Length == 0;
    }

    private readonly List<Frame> _stack = [];
    private readonly bool _reduction;
    private readonly int _maxDeviations;
    private readonly StringBuilder _output;
    private int _depth;
    private int _deviations;
    private List<(int Id, Footprint Footprint)> _sleep = [];
    private Frame? _pending;
    private Footprint _footprint = new();
    private int _outputBefore;
    private bool _started;

    /// <summary>
    /// A search with or without the reduction; with <paramref name="maxDeviations"/>, only the schedules that deviate
    /// from Stackless's order (a non-zero choice) at most that many times (preemption bounding, as CHESS does).
    /// </summary>
    public DfsSearch(bool reduction, StringBuilder output, int maxDeviations = int.MaxValue)
    {
        _reduction = reduction;
        _output = output;
        _maxDeviations = maxDeviations;
    }

    /// <summary>True when the run just ended was cut by the reduction.</summary>
    public bool Pruned { get; private set; }

    /// <summary>Prepares the next run; false when every schedule has been run.</summary>
    public bool BeginRun()
    {
        if (_started && !Backtrack()) return false;
        _started = true;
        _depth = 0;
        _deviations = 0;
        _sleep = [];
        _pending = null;
        Pruned = false;
        return true;
    }

    public override int ChooseNext(ReadOnlySpan<Tasklet> runnable)
    {
        if (_depth < _stack.Count)
        {
            var replayed = _stack[_depth++];
            _pending = replayed;
            if (replayed.Chosen != 0) _deviations++;
            return replayed.Chosen;
        }
        var ids = new int[runnable.Length];
        for (var i = 0; i < ids.Length; i++) ids[i] = runnable[i].Id;
        var frame = new Frame { Ids = ids, Count = ids.Length, Sleep = _reduction ? _sleep : [], DeviationsBefore = _deviations };
        var first = NextAwake(frame);
        if (first < 0) { Pruned = true; return -1; }
        if (first != 0) _deviations++;
        frame.Chosen = first;
        _stack.Add(frame);
        _depth++;
        _pending = frame;
        return first;
    }

    public override int ChooseCase(Tasklet tasklet, int ready)
    {
        _footprint.Global = true;
        if (_depth < _stack.Count)
        {
            var replayed = _stack[_depth++];
            if (replayed.Chosen != 0) _deviations++;
            return replayed.Chosen;
        }
        _stack.Add(new Frame { Ids = [], Count = ready, Sleep = [], DeviationsBefore = _deviations });
        _depth++;
        return 0;
    }

    public override bool OnStepping(Tasklet tasklet)
    {
        // The only runnable tasklet asleep: every move here is asleep, the run can only repeat an explored one.
        if (_reduction && _depth >= _stack.Count && Contains(_sleep, tasklet.Id)) { Pruned = true; return false; }
        _footprint = new Footprint();
        _outputBefore = _output.Length;
        return true;
    }

    public override void OnTouched(ChannelBase? channel)
    {
        if (channel is null) _footprint.Global = true;
        else _footprint.Add(channel.Id);
    }

    public override bool OnStepped(Tasklet tasklet)
    {
        if (_output.Length != _outputBefore || _footprint.Channels.Count == 0) _footprint.Global = true;
        if (!_reduction) { _pending = null; return true; }
        List<(int, Footprint)> before;
        if (_pending is { } frame)
        {
            frame.ChosenFootprint = _footprint;
            before = [.. frame.Sleep, .. frame.Done];
            _pending = null;
        }
        else before = _sleep;
        var after = new List<(int, Footprint)>(before.Count);
        foreach (var entry in before) if (entry.Item2.IndependentOf(_footprint)) after.Add(entry);
        _sleep = after;
        return true;
    }

    /// <summary>The deepest frame with a move left takes it; frames below it are dropped. False when none is left.</summary>
    private bool Backtrack()
    {
        // Frames past the run's last choice were never reached again (the run ended earlier): a changed prefix can
        // only come from a changed choice, so they cannot exist; frames beyond _depth are dropped all the same.
        if (_stack.Count > _depth) _stack.RemoveRange(_depth, _stack.Count - _depth);
        while (_stack.Count > 0)
        {
            var top = _stack[^1];
            if (top.IsCase)
            {
                if (++top.Chosen < top.Count && top.DeviationsBefore < _maxDeviations) return true;
                _stack.RemoveAt(_stack.Count - 1);
                continue;
            }
            top.Done.Add((top.Ids[top.Chosen], top.ChosenFootprint ?? Footprint.Everything));
            top.ChosenFootprint = null;
            var next = NextAwake(top);
            if (next >= 0) { top.Chosen = next; return true; }
            _stack.RemoveAt(_stack.Count - 1);
        }
        return false;
    }

    /// <summary>The first move that is neither asleep nor done (nor, past the deviation bound, other than 0), or -1.</summary>
    private int NextAwake(Frame frame)
    {
        var count = frame.DeviationsBefore < _maxDeviations ? frame.Count : 1;
        for (var i = 0; i < count; i++)
        {
            var id = frame.Ids[i];
            if (!Contains(frame.Sleep, id) && !Contains(frame.Done, id)) return i;
        }
        return -1;
    }

    private static bool Contains(List<(int Id, Footprint Footprint)> set, int id)
    {
        foreach (var entry in set) if (entry.Id == id) return true;
        return false;
    }
}
