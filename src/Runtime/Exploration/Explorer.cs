using System.Text;

namespace StacklessInteractive;

/// <summary>
/// Runs a program under many schedules and reports the distinct outcomes and the first failing schedule, shrunk:
/// "is there a schedule in which this breaks, and what does it look like?"
/// </summary>
/// <remarks>
/// <para>A program is a factory: given a fresh <see cref="Scheduler"/>, it makes its channels and spawns its
/// tasklets on it, and may return an invariant checked after every step (null for none). Each schedule runs a fresh
/// program, so tasklets must not touch state outside it (a static, a file, the network, a Task): what they print
/// to the console is captured as the run's output. A body that awaits a foreign Task is reported as a bug
/// (<see cref="BugKind.ForeignAwait"/>), since the run would no longer depend on the schedule alone.</para>
/// <para>A bug is an exception escaping a tasklet, a deadlock, a failed <see cref="Stackless.Assert"/>, a false
/// invariant, a foreign await, or a run past <see cref="ExploreOptions.MaxSteps"/> with tasklets still runnable.</para>
/// <para>The strategies: seeded random walks, PCT, and exhaustive DFS with partial-order reduction (see
/// <see cref="DfsSearch"/> for the reduction and why it is sound). Every run's schedule is recorded as its list of
/// choices, so any of them replays exactly (<see cref="Replay(Func{Scheduler, Func{bool}?}, Schedule, long)"/>): same output, same trace.</para>
/// <para>Console output is redirected while an exploration runs (as a notebook's <c>#!run</c> does), so explore
/// from one thread at a time.</para>
/// </remarks>
public static class Explorer
{
    /// <summary>Explores a program whose tasklets need no invariant.</summary>
    public static ExploreResult Explore(Action<Scheduler> program, ExploreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        return Explore(s => { program(s); return null; }, options);
    }

    /// <summary>Explores <paramref name="program"/> under the schedules <paramref name="options"/> asks for.</summary>
    public static ExploreResult Explore(Func<Scheduler, Func<bool>?> program, ExploreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        options ??= new ExploreOptions();
        options.Validate();
        using var capture = new OutputCapture();
        var tally = new Tally();
        var pruned = 0;
        var exhausted = false;
        switch (options.Strategy)
        {
            case ExploreStrategy.Random:
                for (var i = 0; i < options.Schedules; i++)
                {
                    var seed = SplitMix.Derive(options.Seed, i);
                    tally.Add(RunOnce(program, new RandomStrategy(seed), capture, options.MaxSteps, trace: false, Schedule.Random(seed)));
                }
                break;
            case ExploreStrategy.Pct:
                var steps = Math.Max(1, RunOnce(program, new ReplayStrategy([]), capture, options.MaxSteps, false, null).Steps);
                for (var i = 0; i < options.Schedules; i++)
                {
                    var seed = SplitMix.Derive(options.Seed, i);
                    tally.Add(RunOnce(program, new PctStrategy(seed, options.Depth, steps), capture, options.MaxSteps, false,
                        Schedule.Pct(seed, options.Depth, steps)));
                }
                break;
            default:
                var dfs = new DfsSearch(options.Reduction, capture.Buffer);
                while (tally.Runs < options.Schedules && dfs.BeginRun())
                {
                    var run = RunOnce(program, dfs, capture, options.MaxSteps, false, null);
                    if (dfs.Pruned) pruned++;
                    else tally.Add(run);
                }
                exhausted = tally.Runs < options.Schedules || !dfs.BeginRun();
                break;
        }
        ScheduleRun? shrunk = null;
        if (tally.FirstFailure is { } failure)
        {
            var smallest = options.Shrink ? ShrinkWith(program, failure, options, capture) : failure;
            shrunk = RunOnce(program, smallest.Schedule.CreateStrategy(), capture, options.MaxSteps, trace: true, null);
        }
        return new ExploreResult(options, tally.Runs, pruned, exhausted, tally.Outcomes(), tally.FirstFailure, shrunk, tally.Failures);
    }

    /// <summary>Runs <paramref name="program"/> once along <paramref name="schedule"/>, recording its trace.</summary>
    /// <exception cref="ScheduleMismatchException">The schedule was made for another program.</exception>
    public static ScheduleRun Replay(Func<Scheduler, Func<bool>?> program, Schedule schedule, long maxSteps = 10_000)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(schedule);
        using var capture = new OutputCapture();
        return RunOnce(program, schedule.CreateStrategy(), capture, maxSteps, trace: true, schedule.Kind == "choices" ? null : schedule);
    }

    /// <summary>Runs <paramref name="program"/> once along <paramref name="schedule"/> (see <see cref="Replay(Func{Scheduler, Func{bool}?}, Schedule, long)"/>).</summary>
    public static ScheduleRun Replay(Action<Scheduler> program, Schedule schedule, long maxSteps = 10_000)
    {
        ArgumentNullException.ThrowIfNull(program);
        return Replay(s => { program(s); return null; }, schedule, maxSteps);
    }

    /// <summary>
    /// Shortens a failing run's schedule while it still fails with the same kind of bug: first fewer deviations
    /// from Stackless's order (a choice set to 0, or taken out), then fewer choices. Returns the smallest found.
    /// </summary>
    public static ScheduleRun Shrink(Func<Scheduler, Func<bool>?> program, ScheduleRun failing, ExploreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(failing);
        if (failing.Bug is null) throw new ArgumentException("Only a failing run can be shrunk.", nameof(failing));
        options ??= new ExploreOptions();
        using var capture = new OutputCapture();
        return ShrinkWith(program, failing, options, capture);
    }

    /// <summary>
    /// Builds <paramref name="program"/> on <paramref name="scheduler"/> (a notebook's) to be run along
    /// <paramref name="schedule"/>: the scheduler's strategy is set, the factory runs; running the scheduler, all at
    /// once or step by step, then follows the schedule. Returns the program's invariant.
    /// </summary>
    public static Func<bool>? Prepare(Scheduler scheduler, Func<Scheduler, Func<bool>?> program, Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(schedule);
        scheduler.Strategy = schedule.CreateStrategy();
        return program(scheduler);
    }

    /// <summary>An outcome as one line of a table: the output, then the bug's kind and message.</summary>
    internal static string OutcomeOf(string output, Bug? bug)
        => bug is null ? output : output + (output.Length == 0 || output.EndsWith('\n') ? "" : "\n") + "⚠ " + bug.KindName + ": " + bug.Message;

    private static ScheduleRun ShrinkWith(Func<Scheduler, Func<bool>?> program, ScheduleRun failing, ExploreOptions options, OutputCapture capture)
    {
        var best = failing.Schedule.Kind == "choices" ? failing : failing with { Schedule = failing.Schedule };
        var kind = failing.Bug!.Kind;
        var budget = options.ShrinkRuns;
        bool Better(Schedule a, Schedule b) => (a.Deviations, a.Choices.Count, a.Choices.Sum()) .CompareTo((b.Deviations, b.Choices.Count, b.Choices.Sum())) < 0;
        bool TryCandidate(List<int> candidate)
        {
            if (budget-- <= 0) return false;
            var run = RunOnce(program, new ReplayStrategy(candidate, lenient: true), capture, options.MaxSteps, false, null);
            if (run.Bug?.Kind != kind || !Better(run.Schedule, best.Schedule)) return false;
            best = run;
            return true;
        }
        // First the fewest deviations: every schedule with 0, then 1, ... deviations, until one fails the same way.
        for (var bound = 0; bound < best.Schedule.Deviations && budget > 0; bound++)
        {
            var search = new DfsSearch(reduction: false, capture.Buffer, bound);
            var found = false;
            while (!found && budget-- > 0 && search.BeginRun())
            {
                var run = RunOnce(program, search, capture, options.MaxSteps, false, null);
                if (run.Bug?.Kind == kind) { best = run; found = true; }
            }
            if (found) break;
        }
        // Then fewer and smaller choices, one change at a time.
        var improved = true;
        while (improved && budget > 0)
        {
            improved = false;
            var choices = best.Schedule.Choices;
            // Deviations first: each non-zero choice set to 0 (Stackless's move), then taken out (the rest shift up).
            for (var i = choices.Count - 1; i >= 0 && !improved; i--)
            {
                if (choices[i] == 0) continue;
                var zeroed = choices.ToList(); zeroed[i] = 0;
                var removed = choices.ToList(); removed.RemoveAt(i);
                improved = TryCandidate(zeroed) || TryCandidate(removed);
            }
            // Then smaller choices (an earlier tasklet in the run queue).
            for (var i = choices.Count - 1; i >= 0 && !improved; i--)
            {
                if (choices[i] < 2) continue;
                var smaller = choices.ToList(); smaller[i]--;
                improved = TryCandidate(smaller);
            }
        }
        return best;
    }

    /// <summary>One run of a fresh program under <paramref name="strategy"/>.</summary>
    private static ScheduleRun RunOnce(Func<Scheduler, Func<bool>?> program, ScheduleStrategy strategy, OutputCapture capture,
        long maxSteps, bool trace, Schedule? seeded)
    {
        capture.Buffer.Clear();
        var scheduler = new Scheduler();
        scheduler.UseStrongNames();
        TraceRecorder? recorder = trace ? new TraceRecorder() : null;
        scheduler.Trace = recorder;
        var invariant = program(scheduler);
        var run = new RunRecorder(strategy, scheduler, invariant);
        scheduler.Strategy = run;
        if (strategy is DfsSearch dfs) scheduler.ChannelCallback = (channel, _, _, _) => dfs.OnTouched(channel);
        Bug? bug = null;
        try
        {
            scheduler.Run(maxSteps, soft: true);
        }
        catch (ScheduleMismatchException) { throw; }
        catch (Exception e)
        {
            bug = Classify(e, run.Last?.Name, scheduler.Steps);
        }
        if (bug is null)
        {
            if (run.InvariantFailed) bug = new Bug(BugKind.InvariantViolated, "The program's invariant is false after this step.", run.Last?.Name, scheduler.Steps);
            else if (run.WaitedOutside)
                bug = new Bug(BugKind.ForeignAwait, $"{run.Last?.Name} waits on a Task outside the scheduler (BlockOn): the run depends on more than the schedule.", run.Last?.Name, scheduler.Steps);
            else if (!run.Stopped && scheduler.Steps >= maxSteps && scheduler.RunCount > 1)
                bug = new Bug(BugKind.Livelock, $"Still running after {maxSteps} steps: a livelock or a loop that never ends.", run.Last?.Name, scheduler.Steps);
            else if (!run.Stopped && scheduler.GetDeadlockReport() is { IsDeadlock: true } report)
                bug = new Bug(BugKind.Deadlock, report.ToString(), null, scheduler.Steps, Deadlock: report);
        }
        if (!trace) scheduler.Discard(); // a traced run's scheduler lives on in its trace's tasklets
        var output = capture.Buffer.ToString();
        return new ScheduleRun(Schedule.FromChoices(run.Choices), seeded, output, bug, scheduler.Steps, recorder?.Events ?? []);
    }

    private static Bug Classify(Exception e, string? tasklet, long step) => e switch
    {
        StacklessAssertionException => new Bug(BugKind.AssertionFailed, e.Message, tasklet, step, e),
        InvalidOperationException when e.Message.Contains("awaited something that is not a Stackless operation", StringComparison.Ordinal)
            => new Bug(BugKind.ForeignAwait, e.Message, tasklet, step, e),
        _ => new Bug(BugKind.Exception, e.GetType().Name + ": " + e.Message, tasklet, step, e),
    };

    /// <summary>The runs of an exploration, counted by outcome.</summary>
    private sealed class Tally
    {
        private sealed class Seen(ScheduleRun first, int order)
        {
            public readonly ScheduleRun First = first;
            public readonly int Order = order;
            public int Count = 1;
        }

        private readonly Dictionary<string, Seen> _byOutcome = [];
        public int Runs;
        public int Failures;
        public ScheduleRun? FirstFailure;

        public void Add(ScheduleRun run)
        {
            Runs++;
            if (run.Bug is not null) { Failures++; FirstFailure ??= run; }
            var key = run.Bug is null ? run.Output : run.Outcome;
            if (_byOutcome.TryGetValue(key, out var seen)) seen.Count++;
            else _byOutcome.Add(key, new Seen(run, _byOutcome.Count));
        }

        public IReadOnlyList<ExploreOutcome> Outcomes() => _byOutcome.Values
            .OrderByDescending(v => v.Count).ThenBy(v => v.Order)
            .Select(v => new ExploreOutcome(v.First.Output, v.First.Bug, v.Count, v.First.Seeded ?? v.First.Schedule)).ToList();
    }

    /// <summary>Console output goes to <see cref="Buffer"/> while it lives.</summary>
    private sealed class OutputCapture : IDisposable
    {
        private readonly TextWriter _out = Console.Out;
        private readonly TextWriter _error = Console.Error;
        private readonly StringWriter _writer = new();

        public OutputCapture()
        {
            Console.SetOut(_writer);
            Console.SetError(_writer);
        }

        public StringBuilder Buffer => _writer.GetStringBuilder();

        public void Dispose()
        {
            Console.SetOut(_out);
            Console.SetError(_error);
        }
    }
}
