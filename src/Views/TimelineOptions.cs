namespace StacklessInteractive.Views;

/// <summary>How <see cref="TimelineView"/> and <see cref="Charts.Timeline(IReadOnlyList{TraceEvent}, TimelineOptions?)"/> draw a trace.</summary>
public sealed record TimelineOptions
{
    /// <summary>
    /// The most steps drawn one column each (default 300). A longer trace is summarised into at most this many
    /// buckets of equal size, and the view says so.
    /// </summary>
    public int MaxSteps { get; init; } = 300;

    /// <summary>The most lanes drawn, lowest tasklet ids first (default 100); the view says how many more it left out.</summary>
    public int MaxLanes { get; init; } = 100;

    /// <summary>
    /// Lanes always drawn, whatever <see cref="MaxLanes"/> leaves out (<c>#!timeline --tasklet worker*</c>); the
    /// other lanes fill the rest, lowest ids first.
    /// </summary>
    public Func<Tasklet, bool>? Pinned { get; init; }

    /// <summary>What an empty timeline says; by default how to record a trace.</summary>
    public string? EmptyHint { get; init; }

    /// <summary>The most characters of a value shown next to its hand-off arrow (default 12).</summary>
    public int ValueLabelLength { get; init; } = 12;

    /// <summary>The width the step columns share, in pixels (default 880); a column is 3 to 32 pixels wide.</summary>
    public int Width { get; init; } = 880;
}
