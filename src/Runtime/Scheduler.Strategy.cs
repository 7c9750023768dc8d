using System.Runtime.InteropServices;

namespace StacklessInteractive;

// The scheduler's side of schedule exploration: the loop that asks a ScheduleStrategy at each choice point. It is a
// loop of its own, entered once per RunLoop when a strategy is set, so that the FIFO loop (the hot path) has not one
// instruction more when none is.
public sealed partial class Scheduler
{
    private Tasklet[] _choices = new Tasklet[8]; // the runnable tasklets offered to the strategy, run-queue order

    /// <summary>
    /// <see cref="RunLoop"/> when <see cref="Strategy"/> is set: the same loop, but when more than one tasklet is
    /// runnable the strategy picks which runs (index 0 is the one Stackless would run). The step limit is checked
    /// before choosing, so a choice is never made for a step that does not run: a schedule replayed in slices
    /// (<c>#!step</c>) makes exactly the choices of one replayed in one go.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // kept out of RunLoop, whose FIFO loop is the hot path
    private LoopEnd RunChosen(long stepLimit)
    {
        var strategy = _strategy!;
        while (true)
        {
            AssertInvariants();
            if (_ioWaiting != 0 && Volatile.Read(ref _completionsPending) != 0) TakeCompletions();
            var first = Queue.First; // Queue puts back the preferred partner, so the queue holds every runnable
            if (first is null)
            {
                if (_ioWaiting == 0) return LoopEnd.Empty;
                if (_steps >= stepLimit && _sliceBudget == 0) { _interrupted = null; return LoopEnd.OutOfSteps; }
                WaitForCompletion();
                continue;
            }
            if (_steps >= stepLimit && WatchdogExpires(first, ref stepLimit))
            {
                _interrupted = _current;
                return LoopEnd.OutOfSteps;
            }
            var next = first;
            if (first.Next is not null)
            {
                var count = GatherRunnable(first);
                var index = strategy.ChooseNext(new ReadOnlySpan<Tasklet>(_choices, 0, count));
                if ((uint)index < (uint)count) next = _choices[index];
                Array.Clear(_choices, 0, count); // keeps no tasklet alive
                if (index < 0) { _interrupted = null; return LoopEnd.OutOfSteps; } // the strategy ends the run here
                if (index >= count)
                    throw new InvalidOperationException($"The schedule strategy chose runnable #{index} of {count}.");
            }
            if (next.IsRunner) // main, or a tasklet in a nested Run(): its turn ends a loop
            {
                if (next != _runner) return LoopEnd.OuterRunner; // left queued for the loop further down the stack
                _runQueue.Remove(next);
                next.Where = Where.Running;
                return LoopEnd.RunnerResumed;
            }
            _runQueue.Remove(next);
            if (!strategy.OnStepping(next))
            {
                next.Where = Where.RunQueue; // back where it was taken from, the front: the run stops as it stood
                _runQueue.PushFront(next);
                _interrupted = null;
                return LoopEnd.OutOfSteps;
            }
            Step(next);
            if (!strategy.OnStepped(next)) { _interrupted = null; return LoopEnd.OutOfSteps; }
        }
    }

    private int GatherRunnable(Tasklet first)
    {
        var n = 0;
        for (var t = first; t is not null; t = t.Next)
        {
            if (n == _choices.Length) Array.Resize(ref _choices, n * 2);
            _choices[n++] = t;
        }
        return n;
    }

    /// <summary>
    /// Which of <paramref name="ready"/> ready cases a select of the current tasklet takes: the first (Stackless-style
    /// determinism) unless a strategy chooses.
    /// </summary>
    internal int ChooseCase(int ready)
    {
        if (_strategy is null || ready < 2) return 0;
        var index = _strategy.ChooseCase(_current, ready);
        if ((uint)index >= (uint)ready)
            throw new InvalidOperationException($"The schedule strategy chose case #{index} of {ready} ready ones.");
        return index;
    }

    /// <summary>
    /// Tells the strategy what the running step touched: a channel, or (null) something that orders it with every
    /// other step (another tasklet switched to, killed, thrown into, inserted, removed or spawned).
    /// </summary>
    internal void Touched(ChannelBase? channel) => _strategy?.OnTouched(channel);

    // The names of an exploration's tasklets and channels, held strongly: each run's scheduler lives for microseconds,
    // and a ConditionalWeakTable (dependent handles, a finalizable container) cost ten times the rest of a small
    // program's setup. Set by UseStrongNames before anything is named.
    private Dictionary<object, string>? _strongNames;

    /// <summary>Names are kept in a plain dictionary from now on (see <see cref="_strongNames"/>); before any name is given.</summary>
    internal void UseStrongNames()
    {
        Debug.Assert(_names is null, "Strong names are chosen before the first name.");
        _strongNames = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
    }

    private string? StrongNameOf(object taskletOrChannel)
        => _strongNames is { } names && names.TryGetValue(taskletOrChannel, out var name) ? name : null;

    private void SetStrongName(object taskletOrChannel, string? name)
    {
        if (name is null) _strongNames!.Remove(taskletOrChannel);
        else _strongNames![taskletOrChannel] = name;
    }

    /// <summary>
    /// Frees the weak handle now instead of in the finalizer, for a scheduler that will never run again (each run of
    /// an exploration): a finalizable object keeps everything it references alive one collection longer, which for
    /// thousands of small programs a second is most of the garbage collector's work.
    /// </summary>
    internal void Discard()
    {
        if (Volatile.Read(ref _busy) != 0) throw new InvalidOperationException("A running scheduler cannot be discarded.");
        GCHandle.FromIntPtr(Handle).Free();
        GC.SuppressFinalize(this);
    }
}
