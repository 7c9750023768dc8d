using System.Globalization;

namespace StacklessInteractive.Bench;

/// <summary>
/// Command line: <c>WORKLOAD N [--trace]</c> prints one <c>key=value</c> line on stdout;
/// <c>all</c> runs the standard set, each in its own process, and then prints a markdown table.
/// Progress and details go to stderr. Exit codes: 0 ok, 1 a workload's own check failed, 2 bad usage.
/// </summary>
internal static class Program
{
    private const string Usage =
        """
        usage: StacklessInteractive.Bench WORKLOAD N [--trace] [--best K]
               StacklessInteractive.Bench all [--full]

        workloads:
          sieve-upto N        the talk's prime sieve (one tasklet per prime) until a prime >= N is found
          sieve-sender-first N the same with every channel preferring the sender (preference 1), Go's order
          sieve-sequential N  the same trial divisions in the same order, no tasklets (the physical limit)
          pingpong N          two tasklets, N round trips over two Channel<int>
          spawn-blocked N     N tasklets each blocked receiving on its own Channel<int>: bytes per tasklet
          spawn-run N         create and run to completion N trivial tasklets
          spawn-yield N       like spawn-run, but each body does one Schedule() first
          recursion N         one tasklet recursing N levels through an async TaskletBody helper, down and back:
                              seconds, ns_per_level, bytes_per_level (heap held at the bottom)
          sizes N             instance sizes of the runtime's objects (averaged over N instances)
          sieve-floor N       experiment: sieve-upto on a minimal scheduler in this project (Floor.cs), a lower bound
          pingpong-floor N    experiment: pingpong on that minimal scheduler
          sieve-handwritten N experiment: the sieve's bodies written by hand as state machines (HandWritten.cs)
          sieve-machines N    experiment: those hand-written bodies run by the real scheduler and channels (Machines.cs)
          tick-checks N       a tasklet body of N tight loop iterations, plain and with the notebook's injected tick
                              checks (awaited and synchronous): what a check costs per iteration
          http-load N         the tasklet HTTP server, N connections open at once from the load client (another
                              process), then one request on each
          explore N           schedule exploration: a 4-tasklet pipeline (about 30 steps) under N random schedules,
                              each from a fresh scheduler (schedules_per_second)

        --trace   the same workload with scheduler.Trace = new TraceRecorder(100_000)
        --best K  K timed runs in this process after the warm-up; prints the fastest (runs=K): a figure the VM's
                  noise moves much less than single runs, for comparing changes on small N
        all       the standard set at moderate sizes (--full: the sizes of the reference measurements)

        N may be written with '_' separators (1_000_000).
        """;

    private static int Main(string[] args)
    {
        try
        {
            return Run(args);
        }
        catch (Exception e) when ((e as UsageException ?? e.InnerException as UsageException) is { } usage)
        {
            // An environment setting read by a type initializer (the floor's) arrives wrapped.
            Console.Error.WriteLine("error: " + usage.Message);
            Console.Error.WriteLine();
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (CheckFailedException e)
        {
            Console.Error.WriteLine("check failed: " + e.Message);
            return 1;
        }
    }

    private static int Run(string[] args)
    {
        if (args.Length == 0) throw new UsageException("no workload given.");
        if (args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return 0;
        }
        var trace = args.Contains("--trace");
        var full = args.Contains("--full");
        var best = TakeBest(ref args);
        var positional = args.Where(a => a is not ("--trace" or "--full")).ToArray();
        var unknownFlag = positional.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal));
        if (unknownFlag is not null) throw new UsageException($"unknown option '{unknownFlag}'.");

        var workload = positional[0];
        if (workload == "all")
        {
            if (positional.Length > 1) throw new UsageException("'all' takes no N.");
            if (trace) throw new UsageException("'all' already includes a traced run; --trace applies to one workload.");
            if (best != 1) throw new UsageException("--best applies to one workload.");
            return All.Run(full);
        }
        if (full) throw new UsageException("--full applies to 'all' only.");
        if (!Workloads.Known.Contains(workload))
            throw new UsageException($"unknown workload '{workload}'. Known: {string.Join(", ", Workloads.Known)}, all.");
        if (positional.Length < 2) throw new UsageException($"{workload} needs N.");
        if (positional.Length > 2) throw new UsageException($"unexpected argument '{positional[2]}'.");
        var n = ParseN(workload, positional[1]);

        WarnIfNotOptimized();
        var result = Workloads.Run(workload, n, trace, best);
        Console.WriteLine(result.Format());
        return 0;
    }

    /// <summary>Debug builds (of this project or the runtime, whose invariant asserts then run) measure nothing useful.</summary>
    private static void WarnIfNotOptimized()
    {
        foreach (var assembly in new[] { typeof(Program).Assembly, typeof(Scheduler).Assembly })
        {
            if (assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is [DebuggableAttribute { IsJITOptimizerDisabled: true }, ..])
                Console.Error.WriteLine($"warning: {assembly.GetName().Name} is a Debug build; measure with -c Release.");
        }
    }

    /// <summary>Takes <c>--best K</c> out of the arguments; 1 when absent.</summary>
    private static int TakeBest(ref string[] args)
    {
        var at = Array.IndexOf(args, "--best");
        if (at < 0) return 1;
        if (at + 1 >= args.Length || !int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
            throw new UsageException("--best needs a number of runs K >= 1.");
        args = [.. args[..at], .. args[(at + 2)..]];
        return k;
    }

    private static int ParseN(string workload, string text)
    {
        var digits = text.Replace("_", "", StringComparison.Ordinal);
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new UsageException($"bad N '{text}': a positive whole number up to {int.MaxValue} is expected.");
        var min = workload.StartsWith("sieve", StringComparison.Ordinal) ? 2 : 1;
        if (n < min) throw new UsageException($"bad N '{text}': {workload} needs N >= {min}.");
        if (workload.StartsWith("sieve", StringComparison.Ordinal) && n > 50_000_000)
            throw new UsageException($"bad N '{text}': the sieve is quadratic; keep N <= 50,000,000.");
        return n;
    }
}

internal sealed class UsageException(string message) : Exception(message);

internal sealed class CheckFailedException(string message) : Exception(message);

/// <summary>One run's measurements; null fields do not apply and are left out of the line.</summary>
internal sealed class Result(string workload, long n, bool trace)
{
    public string Workload { get; } = workload;
    public long N { get; } = n;
    public bool Trace { get; } = trace;
    public int Runs { get; set; } = 1; // with --best, the result is the fastest of this many runs
    public double? Seconds { get; set; }
    public long? Hops { get; set; }
    public double? NsPerHop { get; set; }
    public double? NsPerRoundTrip { get; set; }
    public double? NsPerLevel { get; set; }
    public double? BytesPerLevel { get; set; }
    public double? BytesPerTasklet { get; set; }
    public double? RssBytesPerTasklet { get; set; }
    public long? AllocatedBytes { get; set; }
    public long? PeakRssKb { get; set; }
    public double? ConnectSeconds { get; set; }
    public double? RequestsPerSecond { get; set; }
    public int? PeakConnections { get; set; }
    public double? BytesPerConnection { get; set; }
    public double? RssBytesPerConnection { get; set; }
    public double? SchedulesPerSecond { get; set; }
    public long? StepsPerSchedule { get; set; }
    public double? NsPerIteration { get; set; }
    public double? NsPerIterationPlain { get; set; }
    public double? NsPerIterationSync { get; set; }
    public double? NsPerIterationPlainSync { get; set; }

    public string Format()
    {
        var ci = CultureInfo.InvariantCulture;
        var parts = new List<string> { "workload=" + Workload, "n=" + N.ToString(ci) };
        if (Trace) parts.Add("trace=on");
        if (Runs > 1) parts.Add("runs=" + Runs.ToString(ci));
        if (Seconds is { } s) parts.Add("seconds=" + s.ToString("0.0000", ci));
        if (ConnectSeconds is { } cs) parts.Add("connect_seconds=" + cs.ToString("0.0000", ci));
        if (RequestsPerSecond is { } rps) parts.Add("requests_per_second=" + rps.ToString("0", ci));
        if (PeakConnections is { } pc) parts.Add("peak_connections=" + pc.ToString(ci));
        if (Hops is { } h) parts.Add("hops=" + h.ToString(ci));
        if (NsPerHop is { } nh) parts.Add("ns_per_hop=" + nh.ToString("0.00", ci));
        if (NsPerRoundTrip is { } nr) parts.Add("ns_per_round_trip=" + nr.ToString("0.00", ci));
        if (NsPerLevel is { } nl) parts.Add("ns_per_level=" + nl.ToString("0.00", ci));
        if (BytesPerLevel is { } bl) parts.Add("bytes_per_level=" + bl.ToString("0.0", ci));
        if (SchedulesPerSecond is { } sps) parts.Add("schedules_per_second=" + sps.ToString("0", ci));
        if (StepsPerSchedule is { } sts) parts.Add("steps_per_schedule=" + sts.ToString(ci));
        if (BytesPerTasklet is { } b) parts.Add("bytes_per_tasklet=" + b.ToString("0.0", ci));
        if (RssBytesPerTasklet is { } r) parts.Add("rss_bytes_per_tasklet=" + r.ToString("0.0", ci));
        if (AllocatedBytes is { } a) parts.Add("allocated_bytes=" + a.ToString(ci));
        if (PeakRssKb is { } p) parts.Add("peak_rss_kb=" + p.ToString(ci));
        if (BytesPerConnection is { } bc) parts.Add("bytes_per_connection=" + bc.ToString("0", ci));
        if (RssBytesPerConnection is { } rc) parts.Add("rss_bytes_per_connection=" + rc.ToString("0", ci));
        if (NsPerIteration is { } ni) parts.Add("ns_per_iteration=" + ni.ToString("0.000", ci));
        if (NsPerIterationPlain is { } np) parts.Add("ns_per_iteration_plain=" + np.ToString("0.000", ci));
        if (NsPerIterationPlainSync is { } nps) parts.Add("ns_per_iteration_plain_sync=" + nps.ToString("0.000", ci));
        if (NsPerIterationSync is { } ns) parts.Add("ns_per_iteration_sync=" + ns.ToString("0.000", ci));
        return string.Join(' ', parts);
    }
}
