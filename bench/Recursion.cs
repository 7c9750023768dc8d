using System.Globalization;

namespace StacklessInteractive.Bench;

/// <summary>
/// One tasklet recursing N levels through an <c>async TaskletBody</c> helper (frames on the heap), blocked at the
/// bottom on a send until main receives, then returning all the way up: the time per level down and back, and the
/// heap each level holds while the recursion waits at the bottom.
/// </summary>
internal static class Recursion
{
    private static async TaskletBody Down(int n, Channel<int> c)
    {
        if (n == 0) { await c.Send(1); return; }
        await Down(n - 1, c);
    }

    public static Result Run(int n, bool trace, Progress? progress)
    {
        var s = new Scheduler();
        if (trace) s.Trace = new TraceRecorder(100_000);
        if (n >= s.MaxRecursionDepth) s.MaxRecursionDepth = n + 1;
        var c = new Channel<int>(s);
        var heap0 = progress is null ? 0 : Memory.HeapAfterFullGc(); // the warm-up runs skip the collections
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();

        var clock = Stopwatch.StartNew();
        s.Spawn(Down, n, c);
        s.Run(); // descends and blocks at the bottom
        var descent = clock.Elapsed;
        clock.Stop();

        var heap1 = progress is null ? 0 : Memory.HeapAfterFullGc();
        if (s.AliveCount != 1) throw new CheckFailedException($"{s.AliveCount} tasklets alive at the bottom, not 1.");

        clock.Start();
        var value = c.Receive().Value;
        s.Run(); // returns all the way up
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        if (value != 1 || s.AliveCount != 0) throw new CheckFailedException($"received {value}, {s.AliveCount} tasklets left alive.");
        if (progress is not null)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"recursion: {n} levels; down {descent.TotalSeconds:0.000} s, back up {(clock.Elapsed - descent).TotalSeconds:0.000} s; " +
                $"{s.Steps} steps; {(double)allocated / n:0.0} bytes allocated per level"));
        return new Result("recursion", n, trace)
        {
            Seconds = clock.Elapsed.TotalSeconds,
            NsPerLevel = clock.Elapsed.TotalNanoseconds / n,
            BytesPerLevel = progress is null ? null : (double)(heap1 - heap0) / n,
            AllocatedBytes = allocated,
        };
    }
}
