namespace StacklessInteractive.Views;

/// <summary>One tasklet's row of the timeline: its state at each step, as runs of equal states.</summary>
/// <param name="Tasklet">The tasklet.</param>
/// <param name="Label">Its name, made unique among the lanes ("worker #3" when two are named "worker").</param>
/// <param name="Segments">Its states from the first step to the last, in order, with no gap.</param>
public sealed record TaskletLane(Tasklet Tasklet, string Label, IReadOnlyList<LaneSegment> Segments)
{
    /// <summary>The state during <paramref name="step"/> (<see cref="LaneState.NotCreated"/> outside the lane).</summary>
    public LaneState StateAt(long step)
    {
        int lo = 0, hi = Segments.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var s = Segments[mid];
            if (step < s.Start) hi = mid - 1;
            else if (step > s.End) lo = mid + 1;
            else return s.State;
        }
        return LaneState.NotCreated;
    }
}
