using System.Globalization;

namespace StacklessInteractive.Bench;

/// <summary>
/// The workloads. Each runs small warm-up instances first (see <see cref="Run"/>), then the timed instance on a fresh
/// <see cref="Scheduler"/>. Everything, main and tasklets, runs on this one thread, so
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> sees every allocation of the run.
/// </summary>
internal static class Workloads
{
    public static readonly string[] Known =
        ["sieve-upto", "sieve-sender-first", "sieve-sequential", "pingpong", "spawn-blocked", "spawn-run", "spawn-yield", "recursion", "sizes",
         "sieve-floor", "pingpong-floor", "sieve-handwritten", "sieve-machines", "http-load", "explore", "tick-checks"];

    public static Result Run(string workload, int n, bool trace, int best = 1)
    {
        Func<int, bool, Progress?, Result> run = workload switch
        {
            "sieve-upto" => Sieve.RunTasklets,
            "sieve-sender-first" => Sieve.RunSenderFirst,
            "sieve-sequential" => (n, _, p) => Sieve.RunSequential(n, p),
            "pingpong" => PingPong.Run,
            "spawn-blocked" => SpawnBlocked.Run,
            "spawn-run" => (n, t, p) => SpawnRun.Run(n, t, p, yieldOnce: false),
            "spawn-yield" => (n, t, p) => SpawnRun.Run(n, t, p, yieldOnce: true),
            "recursion" => Recursion.Run,
            "sizes" => (n, t, _) => Sizes.Run(n, t),
            "sieve-floor" => Floor.RunSieve,
            "pingpong-floor" => Floor.RunPingPong,
            "sieve-handwritten" => HandWritten.RunSieve,
            "sieve-machines" => Machines.RunSieve,
            "http-load" => HttpLoad.Run,
            "explore" => Explore.Run,
            "tick-checks" => TickChecks.Run,
            _ => throw new UsageException($"unknown workload '{workload}'."),
        };
        if (trace && workload == "sieve-sequential")
            Console.Error.WriteLine("note: sieve-sequential has no scheduler; --trace changes nothing.");

        // Warm-up: small runs in three rounds with pauses past the tiered JIT's 100 ms call-counting delay, so that the
        // timed run executes optimized code rather than tier-0 code. Methods called on every step or operation reach
        // tier 1 with PGO; Scheduler.RunLoop, called once per Run(), reaches it on the sieve (main re-enters the loop
        // for each prime) but runs as optimized on-stack-replacement code in ping-pong and spawn-run, as it would in
        // any program that calls Run() once. A longer warm-up that brings it to tier 1 there changed ping-pong by
        // nothing measurable and made spawn-run slower (0.16 -> 0.26 s, medians of 8: the GC heap it leaves behind).
        var (warmN, repeats) = workload switch
        {
            _ when workload.StartsWith("sieve", StringComparison.Ordinal) => (Math.Min(n, 3_001), 2),
            "sizes" => (0, 0),
            "spawn-blocked" => (Math.Min(n, 1_000), 35),
            "tick-checks" => (Math.Min(n, 1_000_000), 3),
            "http-load" => (Math.Min(n, 500), 1), // each run starts a client process: a few small ones warm the server's paths
            _ => (Math.Min(n, 20_000), 10),
        };
        for (var round = 0; round < 3 && warmN > 0; round++)
        {
            for (var i = 0; i < repeats; i++) run(warmN, trace, null);
            Thread.Sleep(150);
        }
        var result = run(n, trace, new Progress(workload));
        for (var i = 1; i < best; i++)
        {
            var again = run(n, trace, null);
            if (again.Seconds < result.Seconds) result = again;
        }
        result.Runs = best;
        result.PeakRssKb = Memory.PeakRssKb();
        return result;
    }
}

/// <summary>Progress lines on stderr, at most one every two seconds, the first after two seconds.</summary>
internal sealed class Progress(string workload)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastMs;

    public void Report(Func<string> what)
    {
        var ms = _clock.ElapsedMilliseconds;
        if (ms - _lastMs < 2000) return;
        _lastMs = ms;
        Console.Error.WriteLine($"[{workload} {ms / 1000.0:0.0}s] {what()}");
    }
}

internal static class Memory
{
    /// <summary>VmHWM: the process's peak resident set, in kB.</summary>
    public static long PeakRssKb() => ReadStatusKb("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64 / 1024;

    /// <summary>VmRSS: the resident set now, in bytes.</summary>
    public static long RssBytes() => ReadStatusKb("VmRSS:") * 1024 ?? Process.GetCurrentProcess().WorkingSet64;

    private static long? ReadStatusKb(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
                var number = line[key.Length..].Trim().Split(' ')[0];
                return long.Parse(number, CultureInfo.InvariantCulture);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>The managed heap after a full, compacting collection.</summary>
    public static long HeapAfterFullGc()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

/// <summary>
/// The talk's sieve: a counter sends 2, 3, 4, ...; each prime found gets a filter tasklet that passes on the
/// numbers it does not divide; main receives the primes from the last channel (as the Sieve test does).
/// </summary>
internal static class Sieve
{
    // Every Send a body starts; the sends still blocked at the end are subtracted to get the hand-offs.
    private static long s_sends;

    private static async TaskletBody Counter(Channel<int> output)
    {
        for (var i = 2; ; i++)
        {
            s_sends++;
            await output.Send(i);
        }
    }

    private static async TaskletBody Filter(int prime, Channel<int> input, Channel<int> output)
    {
        while (true)
        {
            var i = await input.Receive();
            if (i % prime != 0)
            {
                s_sends++;
                await output.Send(i);
            }
        }
    }

    /// <summary>Counts a send a body starts (for bodies outside this class: <see cref="Machines"/>).</summary>
    internal static void CountSend() => s_sends++;

    public static Result RunTasklets(int n, bool trace, Progress? progress)
        => RunAsyncBodies("sieve-upto", n, trace, progress, preference: -1);

    /// <summary>
    /// The same program with every channel's preference set to 1 (Stackless's "prefer the sender"): a sender that
    /// finds its receiver waiting continues and the receiver is queued, the order Go's scheduler gives a goroutine
    /// (the receiver goes to <c>runnext</c>). A hop then takes one step instead of two.
    /// </summary>
    public static Result RunSenderFirst(int n, bool trace, Progress? progress)
        => RunAsyncBodies("sieve-sender-first", n, trace, progress, preference: 1);

    /// <summary>The sieve's main with this class's <c>async</c> counter and filters.</summary>
    private static Result RunAsyncBodies(string workload, int n, bool trace, Progress? progress, int preference)
        => Run(workload, n, trace, progress,
            static (s, output) => s.Spawn(Counter, output),
            static (s, prime, input, output) => s.Spawn(Filter, prime, input, output),
            preference);

    /// <summary>
    /// The sieve's main on a real scheduler, whatever its counter and filters are made of: receives the primes,
    /// spawns a filter per prime, counts the hops and checks them against the sequential sieve's.
    /// </summary>
    internal static Result Run(string workload, int n, bool trace, Progress? progress,
        Action<Scheduler, Channel<int>> spawnCounter, Action<Scheduler, int, Channel<int>, Channel<int>> spawnFilter,
        int preference = -1)
    {
        s_sends = 0;
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var s = new Scheduler();
        if (trace) s.Trace = new TraceRecorder(100_000);
        var ch = new Channel<int>(s) { Preference = preference };
        spawnCounter(s, ch);
        var count = 0;
        var spawnAllocated = 0L; // what creating the filters and their channels allocated
        int prime;
        while (true)
        {
            prime = ch.Receive().Value;
            count++;
            if (prime >= n) break;
            var beforeSpawn = GC.GetAllocatedBytesForCurrentThread();
            var next = new Channel<int>(s) { Preference = preference };
            spawnFilter(s, prime, ch, next);
            spawnAllocated += GC.GetAllocatedBytesForCurrentThread() - beforeSpawn;
            ch = next;
            if (progress is not null && count % 1000 == 0)
            {
                var (c, p) = (count, prime);
                progress.Report(() => $"{c:N0} primes, the last {p:N0}, {s_sends:N0} sends");
            }
        }

        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        // A send still blocked on its channel has not handed its value over: it is not a hop.
        var blockedSenders = s.BlockedTasklets.Count(t => t.BlockedDirection > 0);
        var hops = s_sends - blockedSenders;
        if (progress is not null)
        {
            var (expected, _) = SequentialHops(n);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{workload}: {count} primes, the last {prime}; {hops} hand-offs ({expected} for the numbers up to {prime}, " +
                $"{hops - expected} for numbers after it already in the pipeline); {s.AliveCount} tasklets left blocked; " +
                $"{s.Steps} steps ({(double)s.Steps / hops:0.00} per hop); {(double)allocated / hops:0.00} bytes allocated per hop; {GC.CollectionCount(0)} gen0 GCs so far"));
            // Outside the Spawn calls, each tasklet allocates once: its body's box at its first suspension. What is
            // left after that is what the hand-offs allocated (progress lines allocate a little on long runs).
            var outsideSpawn = allocated - spawnAllocated;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{workload}: spawning the filters allocated {spawnAllocated} bytes ({(double)spawnAllocated / Math.Max(1, count - 1):0} per filter); " +
                $"the rest of the run {outsideSpawn} bytes, {(double)outsideSpawn / count:0.0} per tasklet started ({count}: the counter and the filters)"));
            if (s.Trace is { } tr)
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{workload}: the trace recorded {tr.Total} events ({(double)tr.Total / hops:0.00} per hop), kept {tr.Count}"));
        }
        if (prime < n) throw new CheckFailedException($"the sieve stopped at {prime} < {n}.");

        return new Result(workload, n, trace)
        {
            Seconds = clock.Elapsed.TotalSeconds,
            Hops = hops,
            NsPerHop = clock.Elapsed.TotalNanoseconds / hops,
            AllocatedBytes = allocated,
        };
    }

    public static Result RunSequential(int n, Progress? progress)
    {
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var (hops, count) = SequentialHops(n, progress);
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        if (progress is not null)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sieve-sequential: {count} primes; {hops} values passed between stages"));
        return new Result("sieve-sequential", n, trace: false)
        {
            Seconds = clock.Elapsed.TotalSeconds,
            Hops = hops,
            NsPerHop = clock.Elapsed.TotalNanoseconds / hops,
            AllocatedBytes = allocated,
        };
    }

    /// <summary>
    /// The filter chain's work with no tasklets: each candidate is divided by the primes found so far, in
    /// order, up to the first divisor. A hop is a value passed between stages: counter to the first filter,
    /// then one per filter it passes (the last one to main, for a prime).
    /// </summary>
    public static (long Hops, int Primes) SequentialHops(int n, Progress? progress = null)
    {
        var primes = new int[1024];
        var count = 0;
        long hops = 0;
        for (var v = 2; ; v++)
        {
            hops++; // counter -> first stage (or main, before the first prime)
            var isPrime = true;
            var found = primes.AsSpan(0, count);
            foreach (var p in found)
            {
                if (v % p == 0) { isPrime = false; break; }
                hops++; // this filter passes v on
            }
            if (!isPrime) continue;
            if (count == primes.Length) Array.Resize(ref primes, count * 2);
            primes[count++] = v;
            if (v >= n) return (hops, count);
            if (progress is not null && count % 1000 == 0)
            {
                var (c, last) = (count, v);
                progress.Report(() => $"{c:N0} primes, the last {last:N0}");
            }
        }
    }
}

/// <summary>Two tasklets bouncing a value N times over two channels: two hand-offs per round trip.</summary>
internal static class PingPong
{
    private static Progress? s_progress;

    private static async TaskletBody Ping(Channel<int> there, Channel<int> back, int n)
    {
        for (var i = 0; i < n; i++)
        {
            await there.Send(i);
            var echo = await back.Receive();
            if (echo != i) throw new InvalidOperationException($"pong answered {echo} to {i}");
            if ((i & 0xFFFF) == 0 && s_progress is { } p) { var k = i; p.Report(() => $"{k:N0} round trips"); }
        }
    }

    private static async TaskletBody Pong(Channel<int> there, Channel<int> back, int n)
    {
        for (var i = 0; i < n; i++)
        {
            var x = await there.Receive();
            await back.Send(x);
        }
    }

    public static Result Run(int n, bool trace, Progress? progress)
    {
        s_progress = progress;
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var s = new Scheduler();
        if (trace) s.Trace = new TraceRecorder(100_000);
        var there = new Channel<int>(s);
        var back = new Channel<int>(s);
        s.Spawn(Ping, there, back, n);
        s.Spawn(Pong, there, back, n);
        s.Run();

        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        s_progress = null;
        if (s.AliveCount != 0) throw new CheckFailedException($"{s.AliveCount} tasklets still alive after pingpong.");
        var hops = 2L * n;
        if (progress is not null)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pingpong: {s.Steps} steps ({(double)s.Steps / n:0.00} per round trip); {(double)allocated / hops:0.000} bytes allocated per hop"));
        return new Result("pingpong", n, trace)
        {
            Seconds = clock.Elapsed.TotalSeconds,
            Hops = hops,
            NsPerHop = clock.Elapsed.TotalNanoseconds / hops,
            NsPerRoundTrip = clock.Elapsed.TotalNanoseconds / n,
            AllocatedBytes = allocated,
        };
    }
}

/// <summary>
/// N tasklets, each blocked receiving on its own channel: what a parked tasklet costs, channel included.
/// Then each is sent a value (main sends) and must end.
/// </summary>
internal static class SpawnBlocked
{
    private static int s_released;

    private static async TaskletBody Wait(Channel<int> channel)
    {
        var value = await channel.Receive();
        if (value == 42) s_released++;
    }

    public static Result Run(int n, bool trace, Progress? progress)
    {
        s_released = 0;
        var s = new Scheduler();
        if (trace) s.Trace = new TraceRecorder(100_000);
        var channels = new Channel<int>[n]; // allocated before the baseline: the harness's, not the tasklets'
        var measure = progress is not null; // not in the warm-up runs
        var heap0 = measure ? Memory.HeapAfterFullGc() : 0;
        var rss0 = measure ? Memory.RssBytes() : 0;
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < n; i++)
        {
            var channel = new Channel<int>(s);
            channels[i] = channel;
            s.Spawn(Wait, channel);
        }
        s.Run(); // each takes its first step and blocks

        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        var heap1 = measure ? Memory.HeapAfterFullGc() : 0;
        var rss1 = measure ? Memory.RssBytes() : 0;

        if (s.AliveCount != n) throw new CheckFailedException($"{s.AliveCount} of {n} tasklets alive after blocking.");
        foreach (var channel in channels)
            if (channel.Balance != -1) throw new CheckFailedException($"{channel.Name} has balance {channel.Balance}, not -1.");

        // Release them all: main sends to each; the receiver runs at once (preference -1) and ends.
        var release = Stopwatch.StartNew();
        foreach (var channel in channels) channel.Send(42);
        release.Stop();
        if (s_released != n) throw new CheckFailedException($"{s_released} of {n} tasklets received their value.");
        if (s.AliveCount != 0) throw new CheckFailedException($"{s.AliveCount} tasklets still alive after the release.");
        foreach (var channel in channels)
            if (channel.Balance != 0) throw new CheckFailedException($"{channel.Name} has balance {channel.Balance} after the release.");

        if (progress is not null)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"spawn-blocked: spawning and blocking {n} took {clock.Elapsed.TotalSeconds:0.000} s " +
                $"({(double)allocated / n:0.0} bytes allocated per tasklet); releasing them took {release.Elapsed.TotalSeconds:0.000} s " +
                $"({release.Elapsed.TotalNanoseconds / n:0.0} ns each); all {n} received and ended"));

        GC.KeepAlive(channels);
        return new Result("spawn-blocked", n, trace)
        {
            Seconds = clock.Elapsed.TotalSeconds,
            BytesPerTasklet = (double)(heap1 - heap0) / n,
            RssBytesPerTasklet = (double)(rss1 - rss0) / n,
            AllocatedBytes = allocated,
        };
    }
}

/// <summary>N trivial tasklets spawned, then run to completion by one <see cref="Scheduler.Run()"/>.</summary>
internal static class SpawnRun
{
    private static int s_ran;
    private static Scheduler? s_scheduler;

#pragma warning disable CS1998 // the point is a body that never suspends
    private static async TaskletBody Trivial() => s_ran++;
#pragma warning restore CS1998

    private static async TaskletBody YieldOnce()
    {
        await s_scheduler!.Schedule();
        s_ran++;
    }

    private static readonly Func<TaskletBody> s_trivial = Trivial;
    private static readonly Func<TaskletBody> s_yieldOnce = YieldOnce;

    public static Result Run(int n, bool trace, Progress? progress, bool yieldOnce)
    {
        s_ran = 0;
        var body = yieldOnce ? s_yieldOnce : s_trivial;
        var gc0 = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var pause0 = GC.GetTotalPauseDuration();
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var s = new Scheduler();
        s_scheduler = s;
        if (trace) s.Trace = new TraceRecorder(100_000);
        for (var i = 0; i < n; i++)
        {
            s.Spawn(body);
            if (progress is not null && (i & 0xFFFF) == 0) { var k = i; progress.Report(() => $"{k:N0} spawned"); }
        }
        var spawned = clock.Elapsed;
        s.Run();

        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        s_scheduler = null;
        if (s_ran != n) throw new CheckFailedException($"{s_ran} of {n} tasklets ran.");
        if (s.AliveCount != 0) throw new CheckFailedException($"{s.AliveCount} tasklets still alive.");
        var name = yieldOnce ? "spawn-yield" : "spawn-run";
        if (progress is not null)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: spawning took {spawned.TotalSeconds:0.000} s, running {(clock.Elapsed - spawned).TotalSeconds:0.000} s; " +
                $"{(double)allocated / n:0.0} bytes allocated per tasklet; GCs gen0/1/2: {GC.CollectionCount(0) - gc0.Item1}/" +
                $"{GC.CollectionCount(1) - gc0.Item2}/{GC.CollectionCount(2) - gc0.Item3}, " +
                $"pausing {(GC.GetTotalPauseDuration() - pause0).TotalSeconds:0.000} s"));
        return new Result(name, n, trace)
        {
            Seconds = clock.Elapsed.TotalSeconds,
            AllocatedBytes = allocated,
        };
    }
}
