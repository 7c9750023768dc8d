using System.Globalization;
using StacklessInteractive.Kernel;

namespace StacklessInteractive.Bench;

/// <summary>
/// What the tick checks that the notebook extension injects into <c>#!tasklet</c> bodies cost on the tightest loop:
/// a tasklet body of N iterations of a few dependent integer operations, as written, with the awaited check at the
/// start of each iteration (what TickRewriter inserts in an async body), and the same loop in a synchronous local
/// function, as written and with the synchronous check (what it inserts there). Five interleaved rounds; the fastest of each is printed, per iteration.
/// </summary>
internal static class TickChecks
{
    private static long s_sink;

    private static async TaskletBody Plain(long n)
    {
        long sum = 0;
        for (long i = 0; i < n; i++) { sum += i ^ (sum >> 3); }
        s_sink = sum;
    }

    private static async TaskletBody Checked(long n)
    {
        long sum = 0;
        for (long i = 0; i < n; i++) {await Ticks.Check(1); sum += i ^ (sum >> 3); }
        s_sink = sum;
    }

    private static async TaskletBody PlainSync(long n)
    {
        long Loop()
        {
            long sum = 0;
            for (long i = 0; i < n; i++) { sum += i ^ (sum >> 3); }
            return sum;
        }
        s_sink = Loop();
    }

    private static async TaskletBody SyncChecked(long n)
    {
        long Loop()
        {
            long sum = 0;
            for (long i = 0; i < n; i++) {Ticks.CheckSync(1); sum += i ^ (sum >> 3); }
            return sum;
        }
        s_sink = Loop();
    }

    private static double NsPerIteration(Func<long, TaskletBody> body, long n)
    {
        var s = new Scheduler();
        s.Spawn(body, n);
        var clock = Stopwatch.StartNew();
        s.Run();
        return clock.Elapsed.TotalNanoseconds / n;
    }

    public static Result Run(int n, bool trace, Progress? progress)
    {
        var (plain, check, plainSync, sync) = (double.MaxValue, double.MaxValue, double.MaxValue, double.MaxValue);
        for (var round = 0; round < 5; round++)
        {
            plain = Math.Min(plain, NsPerIteration(Plain, n));
            check = Math.Min(check, NsPerIteration(Checked, n));
            plainSync = Math.Min(plainSync, NsPerIteration(PlainSync, n));
            sync = Math.Min(sync, NsPerIteration(SyncChecked, n));
        }
        if (progress is not null)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tick-checks: an awaited check adds {check - plain:0.00} ns per iteration of an async body, a synchronous one {sync - plainSync:0.00} of a synchronous function (fastest of 5 rounds, {s_sink & 1})"));
        return new Result("tick-checks", n, trace)
        {
            Runs = 5,
            NsPerIteration = check,
            NsPerIterationPlain = plain,
            NsPerIterationSync = sync,
            NsPerIterationPlainSync = plainSync,
        };
    }
}
