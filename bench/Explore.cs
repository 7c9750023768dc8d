namespace StacklessInteractive.Bench;

/// <summary>
/// Schedule exploration's throughput: a small pipeline (producer, squarer, consumer and an auditor that yields;
/// 4 tasklets, about 30 steps a schedule) explored under N random schedules, each from a fresh scheduler.
/// </summary>
internal static class Explore
{
    private static Func<bool>? Pipeline(Scheduler s)
    {
        var numbers = new Channel<int>(s);
        var squares = new Channel<int>(s);
        var sum = 0;
        var seen = 0;
        s.Spawn(async () => { for (var i = 1; i <= 5; i++) await numbers.Send(i); }, "producer");
        s.Spawn(async () => { for (var i = 0; i < 5; i++) { var n = await numbers.Receive(); await squares.Send(n * n); } }, "squarer");
        s.Spawn(async () => { for (var i = 0; i < 5; i++) { sum += await squares.Receive(); seen++; } }, "consumer");
        s.Spawn(async () => { for (var i = 0; i < 5; i++) await s.Schedule(); }, "auditor");
        return () => seen < 5 || sum == 55;
    }

    public static Result Run(int n, bool trace, Progress? progress)
    {
        if (trace) Console.Error.WriteLine("note: explore records no trace (only the shrunk failing run would have one).");
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var result = Explorer.Explore(Pipeline, new ExploreOptions { Strategy = ExploreStrategy.Random, Schedules = n, Seed = 1 });
        clock.Stop();
        if (result.FoundBug) throw new InvalidOperationException("the pipeline failed: " + result.FirstFailure!.Bug);
        var steps = Explorer.Replay(Pipeline, Schedule.Fifo).Steps;
        return new Result("explore", n, trace)
        {
            Seconds = clock.Elapsed.TotalSeconds,
            SchedulesPerSecond = n / clock.Elapsed.TotalSeconds,
            StepsPerSchedule = steps,
            AllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - alloc0,
        };
    }
}
