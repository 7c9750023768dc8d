namespace StacklessInteractive.Tests;

/// <summary>Explorations redirect the console: they run one at a time.</summary>
[CollectionDefinition(nameof(ExplorerCollection), DisableParallelization = true)]
public sealed class ExplorerCollection;

/// <summary>Programs with known bugs, explored by each strategy; replay, shrinking and DFS's counts.</summary>
[Collection(nameof(ExplorerCollection))]
public sealed class ExplorerTests
{
    /// <summary>
    /// The bank account: alice reads, yields, writes; bob yields twice, then adds in one step. Under Stackless's order
    /// bob's deposit comes after alice's write (200); when bob's deposit falls between alice's read and write, it is
    /// lost (150), and the assertion fails.
    /// </summary>
    internal static Func<bool>? LostUpdate(Scheduler s)
    {
        var balance = 100;
        s.Spawn(async () => { var b = balance; await s.Schedule(); balance = b + 50; }, "alice");
        s.Spawn(async () =>
        {
            await s.Schedule();
            await s.Schedule();
            balance += 50;
        }, "bob");
        s.Spawn(async () =>
        {
            for (var i = 0; i < 4; i++) await s.Schedule();
            Console.WriteLine("balance " + balance);
            Stackless.Assert(balance == 200);
        }, "auditor");
        return null;
    }

    internal static string Describe(TraceEvent e)
        => $"{e.Step} {e.Reason} {e.Tasklet.Name} {e.Partner?.Name} {e.Channel?.Name} {e.Value} {e.Balance}";

    private static void AssertSameRun(ScheduleRun expected, ScheduleRun actual)
    {
        Assert.Equal(expected.Output, actual.Output);
        Assert.Equal(expected.Bug?.ToString(), actual.Bug?.ToString());
        Assert.Equal(expected.Steps, actual.Steps);
        Assert.Equal(expected.Trace.Select(Describe), actual.Trace.Select(Describe));
    }

    [Fact]
    public void StacklessOrder_IsCorrect_ForTheLostUpdateProgram()
    {
        var run = Explorer.Replay(LostUpdate, Schedule.Fifo);
        Assert.Null(run.Bug);
        Assert.Equal("balance 200\n", run.Output.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(ExploreStrategy.Random)]
    [InlineData(ExploreStrategy.Pct)]
    [InlineData(ExploreStrategy.Dfs)]
    public void EachStrategy_FindsTheLostUpdate_AndItsScheduleReplaysExactly(ExploreStrategy strategy)
    {
        var result = Explorer.Explore(LostUpdate, new ExploreOptions { Strategy = strategy, Schedules = 500, Seed = 7 });
        Assert.True(result.FoundBug, $"{strategy} found no failing schedule in {result.Schedules}");
        var failure = result.FirstFailure!;
        Assert.Equal(BugKind.AssertionFailed, failure.Bug!.Kind);
        Assert.Equal("auditor", failure.Bug.Tasklet);
        Assert.Contains("balance == 200", failure.Bug.Message);
        Assert.Contains(result.Outcomes, o => o.Output.StartsWith("balance 150") && o.Bug is not null);
        Assert.Contains(result.Outcomes, o => o.Output.StartsWith("balance 200") && o.Bug is null);
        Assert.Equal(result.Schedules, result.Outcomes.Sum(o => o.Count));

        // The recorded choices replay the same run, twice over, trace included; so does the seed form.
        var first = Explorer.Replay(LostUpdate, failure.Schedule);
        var second = Explorer.Replay(LostUpdate, Schedule.Parse(failure.Schedule.ToString()));
        Assert.Equal(failure.Output, first.Output);
        Assert.Equal(BugKind.AssertionFailed, first.Bug!.Kind);
        Assert.NotEmpty(first.Trace);
        AssertSameRun(first, second);
        if (failure.Seeded is { } seeded) AssertSameRun(first, Explorer.Replay(LostUpdate, Schedule.Parse(seeded.ToString())));

        // The shrunk run fails the same way, with no more deviations, and is replayed with its trace.
        var shrunk = result.Shrunk!;
        Assert.Equal(BugKind.AssertionFailed, shrunk.Bug!.Kind);
        Assert.True(shrunk.Schedule.Deviations <= failure.Schedule.Deviations);
        Assert.NotEmpty(shrunk.Trace);
        AssertSameRun(shrunk, Explorer.Replay(LostUpdate, shrunk.Schedule));
    }

    [Fact]
    public void Shrinking_RemovesDeviationsTheBugDoesNotNeed()
    {
        // bob's three steps must all come between alice's read and her write: at best two deviations (0.0.2.2:
        // bob twice ahead of the auditor and alice). Starting with bob (1.0.1.2) fails too, with three.
        var wasteful = Schedule.FromChoices([1, 0, 1, 2]);
        var wastefulRun = Explorer.Replay(LostUpdate, wasteful);
        Assert.Equal(BugKind.AssertionFailed, wastefulRun.Bug!.Kind);
        var shrunk = Explorer.Shrink(LostUpdate, wastefulRun);
        Assert.Equal(BugKind.AssertionFailed, shrunk.Bug!.Kind);
        Assert.Equal(3, wastefulRun.Schedule.Deviations);
        Assert.True(shrunk.Schedule.Deviations == 2, $"{wastefulRun.Schedule} shrank to {shrunk.Schedule}");
        Assert.Equal(shrunk.Output, Explorer.Replay(LostUpdate, shrunk.Schedule).Output);
    }

    [Fact]
    public void Dfs_EnumeratesEveryOrderOfThreeOneStepTasklets()
    {
        // Three tasklets of one step each that touch no channel: 3! orders, each once.
        var outputs = Explorer.Explore(s =>
        {
            foreach (var name in new[] { "a", "b", "c" }) s.SpawnAction(() => Console.Write(name), name);
        }, new ExploreOptions { Strategy = ExploreStrategy.Dfs, Schedules = 100 });
        Assert.Equal(6, outputs.Schedules);
        Assert.True(outputs.Exhausted);
        Assert.Equal(0, outputs.Pruned);
        Assert.Equal(new[] { "abc", "acb", "bac", "bca", "cab", "cba" }, outputs.Outcomes.Select(o => o.Output).Order());
        Assert.All(outputs.Outcomes, o => Assert.Equal(1, o.Count));
    }

    [Theory]
    [InlineData(1, 1, 2)]
    [InlineData(2, 1, 3)]    // (1+2)!/(1!2!)
    [InlineData(2, 2, 6)]    // 4!/(2!2!)
    [InlineData(3, 2, 10)]   // 5!/(3!2!)
    public void Dfs_EnumeratesTheInterleavingsOfTwoTasklets(int stepsA, int stepsB, int expected)
    {
        // Tasklets of n steps (n - 1 yields) interleave in (a+b)!/(a!b!) ways; the order of the steps is the output.
        var result = Explorer.Explore(s =>
        {
            s.Spawn(async () => { for (var i = 0; i < stepsA; i++) { Console.Write('a'); if (i < stepsA - 1) await s.Schedule(); } }, "a");
            s.Spawn(async () => { for (var i = 0; i < stepsB; i++) { Console.Write('b'); if (i < stepsB - 1) await s.Schedule(); } }, "b");
        }, new ExploreOptions { Strategy = ExploreStrategy.Dfs, Schedules = 1000 });
        Assert.True(result.Exhausted);
        Assert.Equal(expected, result.Schedules);
        Assert.Equal(expected, result.Outcomes.Count); // every interleaving once, none twice
    }

    [Fact]
    public void Dfs_Reduction_TriesStepsOnDifferentChannelsInOneOrderOnly()
    {
        // Three tasklets, each closing its own channel: the steps commute, so one schedule covers all six orders.
        static void Program(Scheduler s, bool shared)
        {
            var mine = new[] { new Channel<int>(s), new Channel<int>(s), new Channel<int>(s) };
            for (var i = 0; i < 3; i++)
            {
                var ch = shared ? mine[0] : mine[i];
                s.SpawnAction(() => ch.Close());
            }
        }
        var reduced = Explorer.Explore(s => Program(s, shared: false), new ExploreOptions { Strategy = ExploreStrategy.Dfs });
        Assert.Equal(1, reduced.Schedules);
        Assert.True(reduced.Exhausted);
        Assert.True(reduced.Pruned > 0);
        var full = Explorer.Explore(s => Program(s, shared: false), new ExploreOptions { Strategy = ExploreStrategy.Dfs, Reduction = false });
        Assert.Equal(6, full.Schedules);
        var sameChannel = Explorer.Explore(s => Program(s, shared: true), new ExploreOptions { Strategy = ExploreStrategy.Dfs });
        Assert.Equal(6, sameChannel.Schedules); // steps on one channel are tried in every order
    }

    [Fact]
    public void Dfs_Reduction_StillFindsEveryOutcomeOfAProducerConsumerPipeline()
    {
        static void Pipeline(Scheduler s)
        {
            var numbers = new Channel<int>(s, "numbers");
            var squares = new Channel<int>(s, "squares");
            s.Spawn(async () => { for (var i = 1; i <= 3; i++) await numbers.Send(i); }, "producer");
            s.Spawn(async () => { for (var i = 0; i < 3; i++) { var n = await numbers.Receive(); await squares.Send(n * n); } }, "squarer");
            s.Spawn(async () => { var sum = 0; for (var i = 0; i < 3; i++) sum += await squares.Receive(); Console.Write(sum); }, "consumer");
        }
        var reduced = Explorer.Explore(Pipeline, new ExploreOptions { Strategy = ExploreStrategy.Dfs, Schedules = 100_000 });
        var full = Explorer.Explore(Pipeline, new ExploreOptions { Strategy = ExploreStrategy.Dfs, Schedules = 100_000, Reduction = false });
        Assert.True(reduced.Exhausted && full.Exhausted);
        Assert.False(full.FoundBug);
        Assert.Equal("14", Assert.Single(full.Outcomes).Output);
        Assert.Equal(full.Outcomes.Select(o => o.Output), reduced.Outcomes.Select(o => o.Output));
        Assert.True(reduced.Schedules < full.Schedules, $"reduced {reduced.Schedules}, full {full.Schedules}");
    }

    /// <summary>The talk's deadlock, only under some orders: each worker takes its two channels in its own order.</summary>
    internal static void CrossedHandOff(Scheduler s)
    {
        var left = new Channel<int>(s, "left");
        var right = new Channel<int>(s, "right");
        s.Spawn(async () => { await left.Send(1); await right.Send(2); }, "sender");
        s.Spawn(async () => { await right.Receive(); await left.Receive(); }, "receiver");
    }

    [Theory]
    [InlineData(ExploreStrategy.Random)]
    [InlineData(ExploreStrategy.Dfs)]
    public void ADeadlock_IsReportedWithEveryBlockedTasklet(ExploreStrategy strategy)
    {
        var result = Explorer.Explore(CrossedHandOff, new ExploreOptions { Strategy = strategy, Schedules = 50 });
        var bug = result.FirstFailure!.Bug!;
        Assert.Equal(BugKind.Deadlock, bug.Kind);
        Assert.Equal(2, bug.Deadlock!.Blocked.Count);
        Assert.Contains("sender waits to send on left", bug.Message);
        Assert.Contains("receiver waits to receive on right", bug.Message);
        Assert.Equal(result.Schedules, result.Failures); // the crossed order deadlocks under every schedule
    }

    [Fact]
    public void OtherBugs_ExceptionInvariantLivelockAndForeignAwait_AreEachClassified()
    {
        var thrown = Explorer.Explore(s => { s.SpawnAction(() => throw new TestError("boom"), "thrower"); }, new ExploreOptions { Schedules = 3 });
        Assert.Equal(BugKind.Exception, thrown.FirstFailure!.Bug!.Kind);
        Assert.Equal("thrower", thrown.FirstFailure.Bug.Tasklet);
        Assert.Contains("boom", thrown.FirstFailure.Bug.Message);

        var invariant = Explorer.Explore(s =>
        {
            var x = 0;
            s.Spawn(async () => { x = 1; await s.Schedule(); x = 0; }, "toggler");
            return () => x == 0;
        }, new ExploreOptions { Schedules = 3 });
        Assert.Equal(BugKind.InvariantViolated, invariant.FirstFailure!.Bug!.Kind);
        Assert.Equal(1, invariant.FirstFailure.Steps); // checked after the first step, not at the end

        var spinning = Explorer.Explore(s => { s.Spawn(async () => { while (true) await s.Schedule(); }, "spinner"); },
            new ExploreOptions { Schedules = 2, MaxSteps = 50 });
        Assert.Equal(BugKind.Livelock, spinning.FirstFailure!.Bug!.Kind);
        Assert.Equal(50, spinning.FirstFailure.Steps);

        var foreign = Explorer.Explore(s => { s.Spawn(async () => { await Task.Delay(1); }, "sleepy"); }, new ExploreOptions { Schedules = 1 });
        Assert.Equal(BugKind.ForeignAwait, foreign.FirstFailure!.Bug!.Kind);
    }

    [Fact]
    public void RandomExploration_IsTheSameForTheSameSeed_AndDiffersForAnother()
    {
        var options = new ExploreOptions { Schedules = 200, Seed = 3 };
        static IEnumerable<string> Table(ExploreResult r) => r.Outcomes.Select(o => $"{o.Output}|{o.Bug}|{o.Count}|{o.Example}");
        var a = Explorer.Explore(LostUpdate, options);
        var b = Explorer.Explore(LostUpdate, options);
        Assert.Equal(Table(a), Table(b));
        var c = Explorer.Explore(LostUpdate, options with { Seed = 4 });
        Assert.NotEqual(a.Outcomes.Select(o => o.Example), c.Outcomes.Select(o => o.Example));
    }

    [Fact]
    public void AlwaysChoosingZero_IsStacklessOwnSchedule_TraceForTrace()
    {
        // Preference switches put the partner aside in a register; choice 0 must still be exactly what FIFO runs.
        static void Program(Scheduler s)
        {
            var ch = new Channel<int>(s, "ch") { Preference = 1 };
            var other = new Channel<int>(s, "other");
            s.Spawn(async () => { for (var i = 0; i < 3; i++) await ch.Send(i); await other.Send(9); }, "p");
            s.Spawn(async () => { for (var i = 0; i < 3; i++) Console.Write(await ch.Receive()); }, "c");
            s.Spawn(async () => { await s.Schedule(); Console.Write(await other.Receive()); }, "d");
        }
        var chosen = Explorer.Replay(Program, Schedule.Fifo);
        var plain = new Scheduler { Trace = new TraceRecorder() };
        var output = new StringWriter();
        var stdout = Console.Out;
        Console.SetOut(output);
        try
        {
            Program(plain);
            plain.Run();
        }
        finally { Console.SetOut(stdout); }
        Assert.Equal(plain.Trace!.Events.Select(Describe), chosen.Trace.Select(Describe));
        Assert.Equal(output.ToString(), chosen.Output);
        Assert.Equal(4, chosen.Output.Length);
    }

    [Theory]
    [InlineData("fifo", "fifo")]
    [InlineData("2.0.1.1.0", "2.0.1.1")]
    [InlineData("0.0", "fifo")]
    [InlineData("seed=42", "seed=42")]
    [InlineData("pct:seed=5,depth=3,steps=40", "pct:seed=5,depth=3,steps=40")]
    public void Schedules_PrintAndParseBackAlike(string text, string printed)
    {
        var schedule = Schedule.Parse(text);
        Assert.Equal(printed, schedule.ToString());
        Assert.Equal(schedule, Schedule.Parse(schedule.ToString()));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("1.x.2", "choice #2 ('x') is not a number")]
    [InlineData("seed=-1", "the seed is a whole number")]
    [InlineData("pct:seed=1", "pct:seed=S,depth=D,steps=K")]
    public void BadSchedules_AreRefusedWithAReason(string text, string reason)
    {
        Assert.False(Schedule.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Throws<FormatException>(() => Schedule.Parse(text));
    }

    [Fact]
    public void AScheduleForAnotherProgram_IsAMismatch()
    {
        var e = Assert.Throws<ScheduleMismatchException>(() => Explorer.Replay(LostUpdate, Schedule.FromChoices([7])));
        Assert.Contains("only 3 moves are possible", e.Message);
    }
}
