namespace StacklessInteractive;

// The trace's export to a standard file format; the ring and its handles are in Trace.cs.
public sealed partial class TraceRecorder
{
    /// <summary>
    /// Writes the kept events to <paramref name="path"/> in the Chrome trace-event JSON format, which
    /// <see href="https://ui.perfetto.dev">Perfetto UI</see> and <c>chrome://tracing</c> open: a track per tasklet,
    /// a slice per step named by how it ended, an arrow per hand-off (with the channel and the value), instant events
    /// for spawns, blocks, kills, throws and exceptions, and counters for the run queue's length and each channel's
    /// balance. See <see cref="WriteChromeTrace(Stream)"/> for the time axis.
    /// </summary>
    /// <returns>How many trace events were written (<see cref="Count"/>).</returns>
    public long WriteChromeTrace(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        return WriteChromeTrace(file);
    }

    /// <summary>
    /// Writes the kept events to <paramref name="stream"/> in the Chrome trace-event JSON format (see
    /// <see cref="WriteChromeTrace(string)"/>), as it walks the ring: no event is turned into an object, and the JSON
    /// goes out in blocks of about 64 KB, so a trace of millions of events takes no more memory to write than a short one.
    /// </summary>
    /// <remarks>
    /// The trace records no clock, so the time axis is the trace's order: the n-th kept event is at n microseconds.
    /// A step's slice runs from its <see cref="TraceReason.Run"/> event to the event that ended it (a block, a
    /// yield, an exit) or, when the tasklet switched away without one (a hand-off to a preferred partner), to the
    /// next step. The step's number is in the slice's arguments. Like <see cref="Events"/>, read it between runs.
    /// </remarks>
    /// <returns>How many trace events were written (<see cref="Count"/>).</returns>
    public long WriteChromeTrace(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new ChromeTraceWriter(stream, _objects, _nextHandle, Dropped);
        KeptEvents(out var older, out var newer);
        foreach (ref var e in older) Export(writer, in e);
        foreach (ref var e in newer) Export(writer, in e);
        writer.Finish();
        return _count;
    }

    private static void Export(ChromeTraceWriter writer, in Entry e)
        => writer.Add(e.Step, e.Reason, e.Tasklet, e.Partner, e.Channel, e.Balance, e.ValueRef, e.ValueBits, e.ValueKind);
}
