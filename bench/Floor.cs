using System.Globalization;

namespace StacklessInteractive.Bench;

/// <summary>
/// An experiment, not the runtime: the smallest scheduler that runs the same bodies as C# async state
/// machines with the same scheduling order as the runtime at preference -1 (the receiver runs at once, the
/// sender goes to the end of the run queue). It prices what the runtime's design could reach: no
/// thread-static access, no per-switch resume registration (the box is made once, when the tasklet is
/// spawned, and is the tasklet's resume point for life), the partner run through a "next" register
/// instead of a push-front and a pop of the run queue, the value kept in the tasklet (no slot object), and
/// no checks, callbacks, trace or step counting. Only int channels and the operations the sieve and the
/// ping-pong use are here. <see cref="FloorCosts"/> adds the runtime's costs back one by one, to price each.
/// </summary>
internal static class Floor
{
    private static long s_sends;

    private static async MiniBody Counter(MiniChannel output)
    {
        for (var i = 2; ; i++)
        {
            s_sends++;
            await output.Send(i);
        }
    }

    private static async MiniBody Filter(int prime, MiniChannel input, MiniChannel output)
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

    public static Result RunSieve(int n, bool trace, Progress? progress)
    {
        if (trace) Console.Error.WriteLine("note: the floor experiment has no trace.");
        s_sends = 0;
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var s = new MiniScheduler();
        var ch = new MiniChannel(s);
        s.Spawn(Counter, ch);
        int prime, count = 0;
        while (true)
        {
            prime = ch.Receive().GetResult();
            count++;
            if (prime >= n) break;
            var next = new MiniChannel(s);
            s.Spawn(Filter, prime, ch, next);
            ch = next;
            if (progress is not null && count % 1000 == 0) { var c = count; progress.Report(() => $"{c:N0} primes"); }
        }
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        var hops = s_sends - s.BlockedSenders;
        if (progress is not null)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sieve-floor: {count} primes, the last {prime}; {hops} hand-offs; {(double)allocated / hops:0.00} bytes allocated per hop"));
        return new Result("sieve-floor", n, trace: false)
        {
            Seconds = clock.Elapsed.TotalSeconds,
            Hops = hops,
            NsPerHop = clock.Elapsed.TotalNanoseconds / hops,
            AllocatedBytes = allocated,
        };
    }

    private static async MiniBody Ping(MiniChannel there, MiniChannel back, int n)
    {
        for (var i = 0; i < n; i++)
        {
            await there.Send(i);
            if (await back.Receive() != i) throw new InvalidOperationException("pong answered wrong");
        }
    }

    private static async MiniBody Pong(MiniChannel there, MiniChannel back, int n)
    {
        for (var i = 0; i < n; i++) await back.Send(await there.Receive());
    }

    public static Result RunPingPong(int n, bool trace, Progress? progress)
    {
        if (trace) Console.Error.WriteLine("note: the floor experiment has no trace.");
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var s = new MiniScheduler();
        var there = new MiniChannel(s);
        var back = new MiniChannel(s);
        s.Spawn(Ping, there, back, n);
        s.Spawn(Pong, there, back, n);
        s.Run();
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        return new Result("pingpong-floor", n, trace: false)
        {
            Seconds = clock.Elapsed.TotalSeconds,
            Hops = 2L * n,
            NsPerHop = clock.Elapsed.TotalNanoseconds / (2.0 * n),
            NsPerRoundTrip = clock.Elapsed.TotalNanoseconds / n,
            AllocatedBytes = allocated,
        };
    }
}

/// <summary>
/// Costs of the runtime's design added back to the floor one by one, to price each, chosen by the environment
/// variable STACKLESS_BENCH_FLOOR_ADD (comma-separated, or "all"); read once, so the JIT folds them away:
/// <list type="bullet">
/// <item>tls: a thread-static "running tasklet" set and cleared around each step, checked by each operation and
/// read by the builder (the runtime's Tasklet.Running, CheckRunning, SetResume).</item>
/// <item>resume: the builder stores the resume point into the tasklet at every suspension and the step takes and
/// clears it (the runtime's SetResume / t.Resume).</item>
/// <item>queue: doubly-linked queues with a count, and the partner pushed to the front of the run queue and popped
/// again instead of a "next" register (the runtime's TaskletQueue, PlacePreferenceSwitch).</item>
/// <item>slot: the value goes through a Slot object of the tasklet, cast on each use (the runtime's GetSlot/TakeValue).</item>
/// <item>book: step and suspend bookkeeping: step counters, last-stepped, callback and trace null checks, the
/// suspend-pending flag and the pending-exception check on resume.</item>
/// <item>try: the step wrapped in try/catch/finally in its own method (the runtime's Step).</item>
/// </list>
/// STACKLESS_BENCH_FLOOR_FUSED=1 changes the representation instead of adding a cost: the tasklet is its body's box
/// (<see cref="MiniTaskletBox{TStateMachine}"/>), so a step reaches the state machine without loading a box, and a
/// filter is two objects instead of three. Not with "resume", whose point is a resume point kept apart.
/// </summary>
internal static class FloorCosts
{
    public static readonly bool Tls, Resume, Queue, Slot, Book, Try, Fused;
    public static readonly string Description;

    static FloorCosts()
    {
        var text = Environment.GetEnvironmentVariable("STACKLESS_BENCH_FLOOR_ADD") ?? "";
        var all = text.Trim() == "all";
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        string[] known = ["tls", "resume", "queue", "slot", "book", "try", "all"];
        foreach (var p in parts)
            if (!known.Contains(p)) throw new UsageException($"STACKLESS_BENCH_FLOOR_ADD: unknown cost '{p}' (known: {string.Join(", ", known)}).");
        Tls = all || parts.Contains("tls");
        Resume = all || parts.Contains("resume");
        Queue = all || parts.Contains("queue");
        Slot = all || parts.Contains("slot");
        Book = all || parts.Contains("book");
        Try = all || parts.Contains("try");
        Description = all ? "all" : string.Join(",", known.Where(parts.Contains));
        if (Description.Length > 0) Console.Error.WriteLine($"floor: with the runtime's costs: {Description}");
        Fused = Environment.GetEnvironmentVariable("STACKLESS_BENCH_FLOOR_FUSED") == "1";
        if (Fused && Resume) throw new UsageException("STACKLESS_BENCH_FLOOR_FUSED=1 cannot price 'resume': a fused tasklet is its own resume point.");
        if (Fused) Console.Error.WriteLine("floor: fused (the tasklet is its body's box)");
    }
}

[AsyncMethodBuilder(typeof(MiniBuilder))]
internal readonly struct MiniBody;

internal abstract class MiniBox
{
    public abstract void MoveNext();
}

internal sealed class MiniBox<TStateMachine> : MiniBox where TStateMachine : IAsyncStateMachine
{
    public TStateMachine StateMachine = default!;
    public override void MoveNext() => StateMachine.MoveNext();
}

/// <summary>Boxes the state machine when the body is called by Spawn, and never runs or re-registers it itself.</summary>
internal struct MiniBuilder
{
    public static MiniBuilder Create() => default;

    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        if (FloorCosts.Fused)
        {
            MiniScheduler.Spawned = new MiniTaskletBox<TStateMachine> { StateMachine = stateMachine };
            return;
        }
        var tasklet = MiniScheduler.Spawning ?? throw new InvalidOperationException("a MiniBody runs only as a spawned body");
        tasklet.Box = new MiniBox<TStateMachine> { StateMachine = stateMachine };
    }

    public void SetStateMachine(IAsyncStateMachine stateMachine) { }
    public void SetResult() { }
    public void SetException(Exception exception) => System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
    public MiniBody Task => default;

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine
        => throw new NotSupportedException("only channel operations");

    // The operation has already queued the tasklet; its box is its resume point for life (unless "resume").
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine
    {
        if (!FloorCosts.Resume && !FloorCosts.Book && !FloorCosts.Tls) return;
        var tasklet = FloorCosts.Tls ? MiniScheduler.Running! : Unsafe.As<TAwaiter, MiniOp>(ref awaiter).Suspended!;
        if (FloorCosts.Resume) tasklet.Resume = tasklet.Box;
        if (FloorCosts.Book) tasklet.SuspendPending = false;
    }
}

internal sealed class MiniSlot
{
    public int Value;
    public object? Error;
}

internal class MiniTasklet
{
    /// <summary>Runs the body's state machine (overridden by a fused tasklet, which holds it).</summary>
    public virtual void MoveNext() => Box!.MoveNext();

    public MiniBox? Box;
    public MiniTasklet? Next, Prev;
    public int Value;
    // Only for the costs added back:
    public MiniBox? Resume;
    public object? SlotObject;
#pragma warning disable CS0649 // never set: the point is the check on resume
    public object? Pending;
#pragma warning restore CS0649
    public long StepCount;
    public bool SuspendPending;

    public MiniSlot GetSlot() => SlotObject as MiniSlot ?? (MiniSlot)(SlotObject = new MiniSlot());
}

/// <summary>
/// The awaiter. Like the runtime's <see cref="Operation{T}"/> it holds no GC reference (a copy into the state machine
/// then needs no write barrier): a suspended operation's tasklet is the current one of the scheduler, which the
/// runtime finds through the scheduler's weak handle and this single-threaded experiment through a static.
/// </summary>
internal readonly struct MiniOp : ICriticalNotifyCompletion
{
    private readonly bool _isSuspended;
    private readonly int _value;
    public MiniOp(int value) { _isSuspended = false; _value = value; }
    public MiniOp(MiniTasklet suspended) { Debug.Assert(suspended == MiniScheduler.Instance!.Current); _isSuspended = true; _value = 0; }
    public MiniTasklet? Suspended => _isSuspended ? MiniScheduler.Instance!.Current : null;
    public MiniOp GetAwaiter() => this;
    public bool IsCompleted => !_isSuspended;

    public int GetResult()
    {
        if (!_isSuspended) return _value;
        var suspended = MiniScheduler.Instance!.Current;
        if (FloorCosts.Book && suspended.Pending is not null) throw new InvalidOperationException("pending");
        if (!FloorCosts.Slot) return suspended.Value;
        if (suspended.SlotObject is not MiniSlot slot) return 0; // a send by a tasklet that never received
        var value = slot.Value;
        slot.Value = 0;
        if (slot.Error is not null) throw new InvalidOperationException("error");
        return value;
    }

    public void OnCompleted(Action continuation) => throw new NotSupportedException();
    public void UnsafeOnCompleted(Action continuation) => throw new NotSupportedException();
}

/// <summary>A FIFO linked through the tasklets; with the "queue" cost, doubly linked and counted like the runtime's.</summary>
internal struct MiniQueue
{
    private MiniTasklet? _head, _tail;
    private int _count;

    public readonly MiniTasklet? First => _head;

    public void Append(MiniTasklet t)
    {
        if (FloorCosts.Queue) { t.Prev = _tail; _count++; }
        if (_tail is null) _head = t; else _tail.Next = t;
        _tail = t;
    }

    public void PushFront(MiniTasklet t)
    {
        t.Next = _head;
        if (_head is null) _tail = t; else _head.Prev = t;
        _head = t;
        _count++;
    }

    public MiniTasklet? PopFront()
    {
        var t = _head;
        if (t is null) return null;
        _head = t.Next;
        if (_head is null) _tail = null; else if (FloorCosts.Queue) _head.Prev = null;
        t.Next = null;
        if (FloorCosts.Queue) _count--;
        return t;
    }

    /// <summary>The runtime's Remove of the first (RunLoop picks First, then removes it).</summary>
    public void Remove(MiniTasklet t)
    {
        if (t.Prev is null) _head = t.Next; else t.Prev.Next = t.Next;
        if (t.Next is null) _tail = t.Prev; else t.Next.Prev = t.Prev;
        t.Next = t.Prev = null;
        _count--;
    }
}

internal sealed class MiniScheduler
{
    [ThreadStatic] public static MiniTasklet? Spawning; // read only while a body is spawned
    [ThreadStatic] public static MiniTasklet? Spawned;  // the fused tasklet the body's builder made
    [ThreadStatic] private static MiniTasklet? t_running; // only with the "tls" cost
    public static MiniTasklet? Running => t_running;

    private MiniQueue _runQueue;
    private MiniTasklet? _next;
    public readonly MiniTasklet Main = new();
    public MiniTasklet Current;
    private readonly List<MiniChannel> _channels = [];
    // Only for the "book" cost:
    private long _steps;
    private MiniTasklet? _lastStepped;
#pragma warning disable CS0649 // never set: the point is the null checks the runtime makes
    public Action<MiniTasklet?, MiniTasklet>? ScheduleCallback;
    public object? Trace;
    public Action<MiniChannel, MiniTasklet, bool, bool>? ChannelCallback;
#pragma warning restore CS0649

    /// <summary>The scheduler of the running experiment (one at a time, on one thread): how an awaiter finds it.</summary>
    public static MiniScheduler? Instance;

    public MiniScheduler()
    {
        Current = Main;
        Instance = this;
    }

    public long BlockedSenders => _channels.Sum(c => Math.Max(c.Balance, 0));

    internal void Register(MiniChannel channel) => _channels.Add(channel);

    public void Spawn<T1>(Func<T1, MiniBody> body, T1 a)
    {
        var t = BeginSpawn();
        body(a);
        _runQueue.Append(EndSpawn(t));
    }

    public void Spawn<T1, T2, T3>(Func<T1, T2, T3, MiniBody> body, T1 a, T2 b, T3 c)
    {
        var t = BeginSpawn();
        body(a, b, c);
        _runQueue.Append(EndSpawn(t));
    }

    public void Append(MiniTasklet t) => _runQueue.Append(t);

    // The body is called between these two (its builder runs nothing): it boxes its state machine into the tasklet
    // made first, or (fused) makes the tasklet itself.
    private static MiniTasklet? BeginSpawn()
    {
        if (FloorCosts.Fused) return null;
        var t = new MiniTasklet();
        Spawning = t;
        return t;
    }

    private static MiniTasklet EndSpawn(MiniTasklet? t)
    {
        if (t is not null) { Spawning = null; return t; }
        t = Spawned!;
        Spawned = null;
        return t;
    }

    /// <summary>The partner runs next: a register, or (the "queue" cost) pushed to the front of the run queue.</summary>
    public void RunNext(MiniTasklet t)
    {
        if (FloorCosts.Queue) _runQueue.PushFront(t);
        else _next = t;
    }

    public void CheckRunning(MiniTasklet caller)
    {
        if (FloorCosts.Tls && caller != Main && t_running != caller) throw new InvalidOperationException("another thread");
    }

    /// <summary>Main blocked: run the others until main is handed a value.</summary>
    public void RunUntilMain()
    {
        if (!Loop()) throw new InvalidOperationException("deadlock: main waits and nothing runs");
    }

    public void Run() => Loop();

    private bool Loop()
    {
        while (true)
        {
            MiniTasklet? t;
            if (FloorCosts.Queue)
            {
                t = _runQueue.First;
                if (t is null) { Current = Main; return false; }
                _runQueue.Remove(t);
            }
            else
            {
                t = _next;
                if (t is not null) _next = null;
                else
                {
                    t = _runQueue.PopFront();
                    if (t is null) { Current = Main; return false; }
                }
            }
            if (t == Main) { Current = Main; return true; }
            if (FloorCosts.Try) StepWithTry(t);
            else Step(t);
        }
    }

    private void Step(MiniTasklet t)
    {
        Enter(t);
        if (FloorCosts.Tls) t_running = t;
        Resume(t);
        if (FloorCosts.Tls) t_running = null;
        if (FloorCosts.Book && t.SuspendPending) throw new InvalidOperationException("not awaited");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void StepWithTry(MiniTasklet t)
    {
        Enter(t);
        Exception? error = null;
        if (FloorCosts.Tls) t_running = t;
        try
        {
            Resume(t);
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            if (FloorCosts.Tls) t_running = null;
        }
        if (error is not null || (FloorCosts.Book && t.SuspendPending)) throw new InvalidOperationException("step failed", error);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Enter(MiniTasklet t)
    {
        if (!FloorCosts.Book) { Current = t; return; }
        var previous = Current;
        Current = t;
        t.StepCount++;
        _steps++;
        _lastStepped = t;
        if (previous != t) ScheduleCallback?.Invoke(previous, t);
        if (Trace is not null) throw new InvalidOperationException("no trace here");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Resume(MiniTasklet t)
    {
        if (FloorCosts.Resume)
        {
            var resume = t.Resume ?? t.Box; // null before the first suspension
            t.Resume = null;
            resume!.MoveNext();
        }
        else if (FloorCosts.Fused) t.MoveNext();
        else t.Box!.MoveNext();
    }

    public long Steps => _steps;
    public MiniTasklet? LastStepped => _lastStepped;
}

internal sealed class MiniChannel
{
    private readonly MiniScheduler _scheduler;
    private MiniQueue _waiters;
    public int Balance; // > 0 senders wait, < 0 receivers wait

    public MiniChannel(MiniScheduler scheduler)
    {
        _scheduler = scheduler;
        scheduler.Register(this);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Begin(MiniScheduler s, MiniTasklet caller, bool sending, bool willBlock)
    {
        s.CheckRunning(caller);
        if (FloorCosts.Book)
        {
            if (caller.SuspendPending) throw new InvalidOperationException("previous operation not awaited");
            s.ChannelCallback?.Invoke(this, caller, sending, willBlock);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static MiniOp Suspend(MiniTasklet caller)
    {
        if (FloorCosts.Book) caller.SuspendPending = true;
        return new MiniOp(caller);
    }

    public MiniOp Send(int value)
    {
        var s = _scheduler;
        var caller = s.Current;
        Begin(s, caller, true, Balance >= 0);
        if (Balance < 0)
        {
            Balance++;
            var receiver = _waiters.PopFront()!;
            if (FloorCosts.Slot) { var slot = receiver.GetSlot(); slot.Value = value; slot.Error = null; }
            else receiver.Value = value;
            s.Append(caller);      // preference -1: the sender goes to the end of the run queue
            s.RunNext(receiver);   // and the receiver runs now
            return Suspend(caller);
        }
        Balance++;
        if (FloorCosts.Slot) { var slot = caller.GetSlot(); slot.Value = value; slot.Error = null; }
        else caller.Value = value;
        _waiters.Append(caller);
        return Suspend(caller);
    }

    public MiniOp Receive()
    {
        var s = _scheduler;
        var caller = s.Current;
        Begin(s, caller, false, Balance <= 0);
        if (Balance > 0)
        {
            Balance--;
            var sender = _waiters.PopFront()!;
            int value;
            if (FloorCosts.Slot) { var slot = sender.GetSlot(); value = slot.Value; slot.Value = 0; slot.Error = null; }
            else value = sender.Value;
            s.Append(sender);
            return new MiniOp(value);
        }
        Balance--;
        _waiters.Append(caller);
        if (caller != s.Main) return Suspend(caller);
        s.RunUntilMain();
        if (!FloorCosts.Slot) return new MiniOp(caller.Value);
        var own = caller.GetSlot();
        var v = own.Value;
        own.Value = 0;
        return new MiniOp(v);
    }
}

/// <summary>A tasklet that is its body's box: the state machine lives in it (STACKLESS_BENCH_FLOOR_FUSED=1).</summary>
internal sealed class MiniTaskletBox<TStateMachine> : MiniTasklet where TStateMachine : IAsyncStateMachine
{
    public TStateMachine StateMachine = default!;
    public override void MoveNext() => StateMachine.MoveNext();
}
