namespace StacklessInteractive.Views;

/// <summary>
/// A timeline too long to draw step by step, summarised: consecutive steps are grouped into buckets of
/// <see cref="BucketSize"/>, each lane shows its majority state per bucket, and hand-offs are counted per bucket.
/// </summary>
public sealed class TimelineSummary
{
    private TimelineSummary(TimelineModel model, long bucketSize, int bucketCount, IReadOnlyList<IReadOnlyList<LaneState>> states, IReadOnlyList<int> handOffCounts)
    {
        Model = model;
        BucketSize = bucketSize;
        BucketCount = bucketCount;
        States = states;
        HandOffCounts = handOffCounts;
    }

    /// <summary>The timeline summarised.</summary>
    public TimelineModel Model { get; }

    /// <summary>Steps per bucket (the last bucket may hold fewer).</summary>
    public long BucketSize { get; }

    /// <summary>How many buckets.</summary>
    public int BucketCount { get; }

    /// <summary>Per lane (in <see cref="TimelineModel.Lanes"/> order), the majority state of each bucket.</summary>
    public IReadOnlyList<IReadOnlyList<LaneState>> States { get; }

    /// <summary>Hand-offs per bucket.</summary>
    public IReadOnlyList<int> HandOffCounts { get; }

    /// <summary>The first step of bucket <paramref name="bucket"/>.</summary>
    public long BucketStart(int bucket) => Model.FirstStep + bucket * BucketSize;

    /// <summary>The last step of bucket <paramref name="bucket"/>.</summary>
    public long BucketEnd(int bucket) => Math.Min(Model.LastStep, BucketStart(bucket) + BucketSize - 1);

    /// <summary>Lane <paramref name="lane"/>'s buckets as runs of equal majority state, in steps.</summary>
    public IReadOnlyList<LaneSegment> SegmentsOf(int lane)
    {
        var row = States[lane];
        var segments = new List<LaneSegment>();
        for (var b = 0; b < BucketCount;)
        {
            var e = b;
            while (e + 1 < BucketCount && row[e + 1] == row[b]) e++;
            segments.Add(new LaneSegment(BucketStart(b), BucketEnd(e), row[b]));
            b = e + 1;
        }
        return segments;
    }

    /// <summary>
    /// Groups <paramref name="model"/>'s steps into at most <paramref name="maxBuckets"/> buckets of equal size. The
    /// majority state of a bucket is the one the lane spends most of its steps in; ties go to the state listed first
    /// in <see cref="LaneState"/> (running before runnable, ...).
    /// </summary>
    public static TimelineSummary Of(TimelineModel model, int maxBuckets)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuckets, 1);
        var steps = Math.Max(0, model.StepCount);
        var size = Math.Max(1, (steps + maxBuckets - 1) / maxBuckets);
        var count = (int)((steps + size - 1) / size);
        var stateCount = StatePalette.States.Count;
        var states = new List<IReadOnlyList<LaneState>>(model.Lanes.Count);
        var tally = new long[count * stateCount];
        foreach (var lane in model.Lanes)
        {
            Array.Clear(tally);
            foreach (var seg in lane.Segments)
            {
                // Spread the segment's steps over the buckets it covers.
                for (var b = (int)((seg.Start - model.FirstStep) / size); b < count; b++)
                {
                    var from = Math.Max(seg.Start, model.FirstStep + b * size);
                    var to = Math.Min(seg.End, model.FirstStep + (b + 1) * size - 1);
                    if (from > to) break;
                    tally[b * stateCount + (int)seg.State] += to - from + 1;
                }
            }
            var row = new LaneState[count];
            for (var b = 0; b < count; b++)
            {
                var best = 0;
                for (var s = 1; s < stateCount; s++)
                    if (tally[b * stateCount + s] > tally[b * stateCount + best]) best = s;
                row[b] = (LaneState)best;
            }
            states.Add(row);
        }
        var handOffs = new int[count];
        foreach (var h in model.HandOffs)
        {
            var b = (int)((h.Step - model.FirstStep) / size);
            if (b >= 0 && b < count) handOffs[b]++;
        }
        return new TimelineSummary(model, size, count, states, handOffs);
    }
}
