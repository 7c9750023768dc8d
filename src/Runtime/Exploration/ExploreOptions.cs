namespace StacklessInteractive;

/// <summary>What <see cref="Explorer.Explore(Func{Scheduler, Func{bool}?}, ExploreOptions?)"/> does.</summary>
public sealed record ExploreOptions
{
    /// <summary>How schedules are picked; random by default.</summary>
    public ExploreStrategy Strategy { get; init; } = ExploreStrategy.Random;

    /// <summary>How many schedules to run (for DFS, the bound: it stops earlier when every schedule has run).</summary>
    public int Schedules { get; init; } = 1000;

    /// <summary>The seed of the first random or PCT schedule; each next one is derived from it.</summary>
    public ulong Seed { get; init; }

    /// <summary>PCT's depth: the number of priority change points plus one.</summary>
    public int Depth { get; init; } = 3;

    /// <summary>The step bound of one run: a run still going after it is a livelock.</summary>
    public long MaxSteps { get; init; } = 10_000;

    /// <summary>DFS only: partial-order reduction (see <see cref="Explorer"/>); on by default.</summary>
    public bool Reduction { get; init; } = true;

    /// <summary>Shrink the first failing schedule (fewer deviations from Stackless's order, then fewer choices).</summary>
    public bool Shrink { get; init; } = true;

    /// <summary>The most runs shrinking may take.</summary>
    public int ShrinkRuns { get; init; } = 2000;

    /// <summary>Throws when an option is out of range, naming it.</summary>
    public void Validate()
    {
        if (Schedules < 1) throw new ArgumentOutOfRangeException(nameof(Schedules), Schedules, "Explore at least one schedule.");
        if (Depth < 1) throw new ArgumentOutOfRangeException(nameof(Depth), Depth, "PCT's depth is 1 or more.");
        if (MaxSteps < 1) throw new ArgumentOutOfRangeException(nameof(MaxSteps), MaxSteps, "The step bound is 1 or more.");
        if (ShrinkRuns < 0) throw new ArgumentOutOfRangeException(nameof(ShrinkRuns), ShrinkRuns, "Shrinking takes 0 runs or more.");
    }
}
