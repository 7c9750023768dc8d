namespace StacklessInteractive.Views;

/// <summary>A run of consecutive steps during which a lane keeps one state.</summary>
/// <param name="Start">The first step of the run.</param>
/// <param name="End">The last step of the run (inclusive).</param>
/// <param name="State">The state throughout.</param>
public readonly record struct LaneSegment(long Start, long End, LaneState State)
{
    /// <summary>How many steps the run covers.</summary>
    public long Length => End - Start + 1;
}
