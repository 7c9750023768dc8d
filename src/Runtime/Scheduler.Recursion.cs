using System.Runtime.ExceptionServices;

namespace StacklessInteractive;

// Frames on the heap: a tasklet recursing through async TaskletBody helpers keeps each level's frame in its body's
// box, not on the thread's stack. The descent and the return would still nest a call per level on the stack (each
// body starts synchronously in its caller, each return resumes the caller); past BounceDepth bytes of stack below
// the loop, the builder hands the next call to Bounce instead, and the step finishes it from the top (RunBounced).
//
// Invariants:
// - _bounced is empty outside a step, and while a step's body code runs it holds only resume points of the current
//   tasklet, whose SuspendPending is then set (so that an operation started before the bounced bodies ran fails).
// - Tasklet.Depth is the number of TaskletBody frames of that tasklet that started and have not ended; at most
//   MaxRecursionDepth.
public sealed partial class Scheduler
{
    private int _maxRecursionDepth = 10_000_000;
    private List<BodyBox>? _bounced; // resume points to run from the top of the step, in order (see RunBounced)

    // How far below the loop's frame a step may go before nested bodies bounce. The loop runs on any thread: a pool
    // thread has 1.5 MiB of stack, and a notebook's cell is already some way down it when it drives the scheduler.
    private const nuint BounceDepth = 256 << 10;

    /// <summary>
    /// How many <c>async TaskletBody</c> frames a tasklet may have at once (its body and the helpers it awaits,
    /// nested); starting one more raises <see cref="RecursionException"/> in the tasklet, at the call. Frames live on
    /// the heap (about 100 bytes a level for a small helper), so the default of 10,000,000 is about a gigabyte.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxRecursionDepth
    {
        get => _maxRecursionDepth;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxRecursionDepth = value;
        }
    }

    /// <summary>The scheduler whose step runs on this thread, or null: what the builder counts and bounces against.</summary>
    internal static Scheduler? SteppingHere => t_driving is { InStep: true } s ? s : null;

    /// <summary>A body of the current tasklet starts: counts it, or raises when that would pass the limit.</summary>
    internal Tasklet BodyStarting()
    {
        var t = _current;
        if (t.Depth >= _maxRecursionDepth)
            throw new RecursionException($"maximum recursion depth exceeded in tasklet '{t.Name}' ({_maxRecursionDepth:N0} nested bodies).");
        t.Depth++;
        return t;
    }

    /// <summary>A body of the current tasklet ended.</summary>
    internal void BodyEnded() => BodyEnded(_current);

    internal static void BodyEnded(Tasklet t)
    {
        if (t.Depth > 0) t.Depth--; // a body started outside any step (by main) was never counted
    }

    /// <summary>True when the caller is more than <see cref="BounceDepth"/> below the loop's frame (in a step).</summary>
    [SkipLocalsInit]
    internal unsafe bool StackIsDeep()
    {
        nuint probe;
        return _stepStack - (nuint)(&probe) > BounceDepth;
    }

    /// <summary>
    /// Runs <paramref name="box"/> from the top of the step rather than here: a body not yet started, or the body
    /// that awaits one that ended. The current tasklet's step goes on once the stack has unwound to it.
    /// </summary>
    internal void Bounce(BodyBox box)
    {
        (_bounced ??= []).Add(box);
        _current.SuspendPending = true; // the step ends in EndOfStep, which runs the bounced boxes
    }

    /// <summary>
    /// Runs the boxes bounced in the step of <paramref name="t"/>, depth first in call order: a box bounced while
    /// another ran comes before the older ones. Returns true when the tasklet then switched away (the step is over),
    /// false when the step ends as it would have without bouncing (the body ended, or misused an operation), with the
    /// error of a body that left bounced calls behind when it switched away.
    /// </summary>
    private bool RunBounced(Tasklet t, ref ExceptionDispatchInfo? error)
    {
        if (_bounced is not { Count: > 0 } bounced) return false;
        try
        {
            if (error is not null) return false; // the body failed at its start: nothing of it is left to run
            bounced.Reverse(); // a stack: the next to run last
            while (bounced.Count > 0)
            {
                if (BodyHasEnded(t)) return false; // what is left was called and never awaited: dropped with the tasklet
                if (t.Where != Where.Running)
                {
                    error = ExceptionDispatchInfo.Capture(new InvalidOperationException(BouncedNotAwaited(t)));
                    return false;
                }
                var box = bounced[^1];
                bounced.RemoveAt(bounced.Count - 1);
                var older = bounced.Count;
                t.SuspendPending = false;
                _stepStack = _loopStack;
                box.MoveNext();
                _stepStack = 0;
                bounced.Reverse(older, bounced.Count - older);
            }
            return !(t.SuspendPending || t.Where == Where.Running);
        }
        finally
        {
            bounced.Clear();
        }
    }

    private static bool BodyHasEnded(Tasklet t) => t.Body switch
    {
        BodyBox box => box.IsCompleted,
        Task task => task.IsCompleted,
        _ => true, // it ended without suspending (or is a plain method)
    };

    /// <summary>The message of an operation started, or a switch made, before the bodies it called had started.</summary>
    private static string BouncedNotAwaited(Tasklet t) =>
        $"{t.Name} called an async TaskletBody deep in the stack and switched before awaiting it; such a body starts " +
        "when the step unwinds to the scheduler: await a nested body where you call it (await Helper(...)).";

    /// <summary>The error of an operation begun while the previous one, or a bounced body, is pending.</summary>
    private string NotAwaited(Tasklet caller) => _bounced is { Count: > 0 }
        ? BouncedNotAwaited(caller)
        : $"{caller.Name} started a Stackless operation without awaiting the previous one.";

    /// <summary>
    /// The exact form of <see cref="StepRunsHere"/>, for when its one compare says no: a step of this scheduler runs
    /// on this thread (a body far down the stack, past the compare's window). Reads a thread-static, so it is kept
    /// off the hot path, where it only turns a would-be error into the right answer.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal bool StepRunsOnThisThread() => t_driving == this && InStep;
}
