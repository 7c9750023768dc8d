namespace StacklessInteractive;

/// <summary>
/// A random walk: at each choice point every legal move is equally likely. The same seed gives the same run (the
/// schedule <c>seed=S</c>). Good at bugs that many schedules show; for rare orders, see <see cref="PctStrategy"/>.
/// </summary>
public sealed class RandomStrategy : ScheduleStrategy
{
    private SplitMix _random;

    /// <summary>A walk driven by <paramref name="seed"/>.</summary>
    public RandomStrategy(ulong seed)
    {
        Seed = seed;
        _random = new SplitMix(seed);
    }

    /// <summary>The seed this walk started from.</summary>
    public ulong Seed { get; }

    /// <inheritdoc/>
    public override int ChooseNext(ReadOnlySpan<Tasklet> runnable) => _random.Next(runnable.Length);

    /// <inheritdoc/>
    public override int ChooseCase(Tasklet tasklet, int ready) => _random.Next(ready);
}
