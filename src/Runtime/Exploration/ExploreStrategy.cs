namespace StacklessInteractive;

/// <summary>How <see cref="Explorer"/> picks the schedules it runs.</summary>
public enum ExploreStrategy
{
    /// <summary>Random walks, one seed per schedule (<see cref="RandomStrategy"/>).</summary>
    Random,
    /// <summary>Probabilistic concurrency testing of a depth (<see cref="PctStrategy"/>).</summary>
    Pct,
    /// <summary>Every schedule, depth first, up to a bound, with partial-order reduction.</summary>
    Dfs,
}
