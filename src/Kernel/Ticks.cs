using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace StacklessInteractive.Kernel;

/// <summary>
/// The tick checks that <see cref="TickRewriter"/> puts into <c>#!tasklet</c> bodies: the notebook's watchdog.
/// Each check decrements one counter; only when it reaches zero (every <see cref="Quantum"/> checks, or at once
/// when an interrupt or the end of the time budget sets it to zero) does the slow path look at the reasons to stop:
/// the cell was interrupted, the run's time budget is spent, or a run with a step limit (<c>#!step</c>,
/// <c>#!run --steps N</c>) has been in one step for <see cref="QuantaPerStep"/> quanta (about a million checks,
/// Stackless's <c>run(n)</c> counting bytecodes). Then the running tasklet is preempted
/// (<see cref="Scheduler.Preempt"/>): the run ends and reports it paused, and <c>#!run</c> continues it.
/// </summary>
/// <remarks>
/// Where a check cannot preempt (a synchronous function or lambda, which cannot give the thread back without
/// returning; a step of an operation that a cell's main code waits in; another thread) an interrupt or a spent
/// budget raises <see cref="TaskletInterruptedException"/> there instead, which ends that tasklet unless caught.
/// Code that never reaches a check (a blocking call into native code, <c>Thread.Sleep</c>, a loop in a method of
/// an ordinary cell) cannot be stopped. One notebook per process: the state is static.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Ticks
{
    /// <summary>Checks between two looks at the reasons to stop.</summary>
    internal const int Quantum = 1 << 16;

    /// <summary>In a run with a step limit, a step is preempted after this many quanta (about a million checks).</summary>
    internal const int QuantaPerStep = 16;

    private static int s_left = Quantum;            // checks before the next slow path; 0 asks for one now
    private static volatile bool s_interrupted;     // the cell was interrupted (SIGINT, the host's interrupt)
    private static volatile Budget? s_budget;       // the run under way, or null
    private static long s_lastStep = -1;            // the scheduler's step count at the last slow path
    private static int s_quantaInStep;              // slow paths in that step
    private static Stop? s_stop;                    // why and where the last preemption happened

    /// <summary>The check at a loop's back-edge or an async function's entry: completed unless the tasklet must stop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Operation Check(int line)
    {
        if (--s_left > 0) return default;
        return Slow(line);
    }

    /// <summary>The check where an await is not allowed: returns, or raises <see cref="TaskletInterruptedException"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckSync(int line)
    {
        if (--s_left > 0) return;
        SlowSync(line);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Operation Slow(int line)
    {
        var reason = Reason(canPreempt: true);
        if (reason is null) return default;
        var scheduler = s_budget?.Scheduler ?? Scheduler.Default;
        var running = scheduler.Current;
        var op = scheduler.Preempt();
        if (!op.IsCompleted)
        {
            s_stop = new Stop(running, line, reason.Value);
            return op;
        }
        if (reason == StopReason.Steps) return default; // nothing to raise for: only a run counts steps
        throw InterruptedError(running, line, reason.Value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SlowSync(int line)
    {
        if (Reason(canPreempt: false) is { } reason)
            throw InterruptedError((s_budget?.Scheduler ?? Scheduler.Default).Current, line, reason);
    }

    /// <summary>Why the running code must stop now, or null; refills the counter.</summary>
    private static StopReason? Reason(bool canPreempt)
    {
        Volatile.Write(ref s_left, Quantum);
        if (s_interrupted) return StopReason.Interrupt;
        if (s_budget is not { } budget) return null;
        if (budget.Deadline != 0 && Stopwatch.GetTimestamp() >= budget.Deadline) return StopReason.Timeout;
        if (!budget.Stepped || !canPreempt) return null;
        var step = budget.Scheduler.Steps;
        if (step != s_lastStep) { s_lastStep = step; s_quantaInStep = 1; return null; }
        return ++s_quantaInStep >= QuantaPerStep ? StopReason.Steps : null;
    }

    private static TaskletInterruptedException InterruptedError(Tasklet running, int line, StopReason reason) => new(
        (reason == StopReason.Interrupt ? "The cell was interrupted" : "The run's time budget ran out")
        + $" while {(running.IsMain ? "the cell's code" : "tasklet " + running.Name)} ran line {line} of a #!tasklet body, in a synchronous "
        + "function or lambda (or a lock), which cannot be paused: the tasklet raises this instead.");

    // ---- what the session does --------------------------------------------------------------------

    /// <summary>Stops whatever runs a check: sets the flag and makes the next check take the slow path.</summary>
    public static void Interrupt()
    {
        s_interrupted = true;
        Volatile.Write(ref s_left, 0);
    }

    /// <summary>True from an interrupt until <see cref="ClearInterrupt"/> (the start of the next cell).</summary>
    internal static bool Interrupted => s_interrupted;

    internal static void ClearInterrupt() => s_interrupted = false;

    /// <summary>
    /// Arms the checks for a run of <paramref name="scheduler"/>: its time budget (<paramref name="timeout"/>, none when
    /// null), and whether it counts steps. Dispose the result when the run ends.
    /// </summary>
    internal static Budget Arm(Scheduler scheduler, TimeSpan? timeout, bool stepped)
    {
        var budget = new Budget(scheduler, timeout, stepped);
        s_stop = null;
        s_lastStep = -1;
        s_budget = budget;
        return budget;
    }

    /// <summary>Why, where and whom the last preemption stopped, once.</summary>
    internal static Stop? TakeStop() => Interlocked.Exchange(ref s_stop, null);

    /// <summary>A run's budget; while armed, a timer zeroes the counter when the time is up, so the next check sees it.</summary>
    internal sealed class Budget : IDisposable
    {
        private readonly Timer? _timer;

        public Budget(Scheduler scheduler, TimeSpan? timeout, bool stepped)
        {
            Scheduler = scheduler;
            Stepped = stepped;
            if (timeout is { } t)
            {
                Deadline = Stopwatch.GetTimestamp() + (long)(t.TotalSeconds * Stopwatch.Frequency);
                _timer = new Timer(static _ => Volatile.Write(ref s_left, 0), null, t, Timeout.InfiniteTimeSpan);
            }
        }

        public Scheduler Scheduler { get; }
        public bool Stepped { get; }
        public long Deadline { get; }   // a Stopwatch timestamp, 0 for none

        /// <summary>True once the time is up.</summary>
        public bool Spent => Deadline != 0 && Stopwatch.GetTimestamp() >= Deadline;

        public void Dispose()
        {
            _timer?.Dispose();
            if (s_budget == this) s_budget = null;
        }
    }
}
