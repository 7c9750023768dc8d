namespace StacklessInteractive;

/// <summary>
/// PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): every tasklet gets a random priority
/// when first seen and the highest-priority runnable one always runs; at <c>depth - 1</c> random steps (change points)
/// the tasklet that just ran drops below every other. A bug that needs <c>d</c> ordering constraints is found by one
/// run with probability at least <c>1 / (n k^(d-1))</c> for n tasklets and k steps, however rare it is for a random
/// walk. Select cases are chosen at random. The same (seed, depth, steps) gives the same run.
/// </summary>
public sealed class PctStrategy : ScheduleStrategy
{
    private SplitMix _random;
    private long[] _priority = new long[16]; // by tasklet id; 0 = not seen yet
    private readonly long[] _changePoints;   // the steps after which the running tasklet's priority drops
    private long _step;

    /// <summary>A PCT run of depth <paramref name="depth"/> (1 or more) over about <paramref name="steps"/> steps.</summary>
    public PctStrategy(ulong seed, int depth, long steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        Seed = seed;
        Depth = depth;
        Steps = steps;
        _random = new SplitMix(seed);
        _changePoints = new long[depth - 1];
        for (var i = 0; i < _changePoints.Length; i++) _changePoints[i] = 1 + (long)(_random.NextULong() % (ulong)steps);
    }

    /// <summary>The seed.</summary>
    public ulong Seed { get; }

    /// <summary>The number of priority change points plus one.</summary>
    public int Depth { get; }

    /// <summary>The number of steps the change points are spread over.</summary>
    public long Steps { get; }

    /// <inheritdoc/>
    public override int ChooseNext(ReadOnlySpan<Tasklet> runnable)
    {
        var best = 0;
        var bestPriority = long.MinValue;
        for (var i = 0; i < runnable.Length; i++)
        {
            var p = PriorityOf(runnable[i]);
            if (p > bestPriority) { best = i; bestPriority = p; }
        }
        return best;
    }

    /// <inheritdoc/>
    public override int ChooseCase(Tasklet tasklet, int ready) => _random.Next(ready);

    /// <inheritdoc/>
    public override bool OnStepped(Tasklet tasklet)
    {
        _step++;
        for (var i = 0; i < _changePoints.Length; i++)
            if (_changePoints[i] == _step) _priority[Index(tasklet)] = Depth - i; // below every initial priority (> depth)
        return true;
    }

    private long PriorityOf(Tasklet t)
    {
        var i = Index(t);
        ref var p = ref _priority[i];
        if (p == 0) p = Depth + 1 + (long)(_random.NextULong() >> 2); // distinct with overwhelming probability
        return p;
    }

    private int Index(Tasklet t)
    {
        var id = t.Id;
        if (id >= _priority.Length) Array.Resize(ref _priority, Math.Max(id + 1, _priority.Length * 2));
        return id;
    }
}
