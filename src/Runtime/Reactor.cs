using System.Collections.Concurrent;

namespace StacklessInteractive;

/// <summary>
/// The talk's "Integration Technique Two": an event reactor that runs in its own tasklet
/// (<c>stackless.tasklet(reactor.run)()</c>). Tasklets wait on asynchronous operations with
/// <see cref="BlockOn{T}(Task{T})"/>, written in synchronous style; from the reactor's point of view they are
/// callbacks.
/// </summary>
/// <remarks>
/// <para><b>How a wait works</b> (the talk's <c>blockOn(deferred)</c>): <see cref="BlockOn{T}(Task{T})"/> creates a
/// reply channel, registers the task's completion with the reactor and receives from the channel. Completions
/// arrive on any thread; they only queue a callback, in the order they complete, and wake the reactor. The reactor
/// tasklet, when it runs, takes the queued callbacks in that order and sends each result, or the task's exception
/// (<see cref="Channel{T}.SendThrow"/>), through its channel. The reply channels prefer the sender
/// (<see cref="ChannelBase.Preference"/> 1), so the reactor never blocks on a send: it makes every waiting caller
/// runnable in completion order within one step, then yields to them. A caller that is no longer receiving
/// (killed, or thrown into) has nobody on its channel: its result is dropped.</para>
/// <para><b>The reactor's loop</b>, one step at a time: deliver the ready callbacks; if other tasklets are runnable,
/// yield (<see cref="Scheduler.Schedule"/>, the talk's <c>__tick__</c>); if none is, block the OS thread, as
/// <c>select()</c> does, until the next completion or until <see cref="Tick"/> elapses, deliver, and yield. So it
/// never spins, yields at least once per tick, and lets every runnable tasklet go round between two of its
/// steps.</para>
/// <para><b>Run() and the reactor.</b> The reactor tasklet is always runnable: while it is alive,
/// <see cref="Scheduler.Run()"/> does not return (it is the program's event loop) until <see cref="Stop"/> is
/// called, or, with <see cref="EndWhenIdle"/>, until nothing else is alive and no caller waits on it. Waiting
/// callers stay blocked on their reply channels when the reactor stops (the deadlock report names them); a later
/// <see cref="Start"/> delivers to them.</para>
/// <para><b>Against <see cref="Scheduler.BlockOn{T}(Task{T})"/></b> (technique one, where the scheduler's loop takes
/// completions itself): both can be used together, but while the reactor sleeps the scheduler's loop does not run,
/// so a completion of the scheduler's own BlockOn can wait up to one tick.</para>
/// <para>Threads: <see cref="Stop"/> may be called from any thread; everything else belongs to the thread that
/// drives the scheduler, like the scheduler's own operations.</para>
/// </remarks>
public sealed class Reactor
{
    /// <summary>The talk's tick: <c>task.LoopingCall(__tick__).start(.1)</c>.</summary>
    public static readonly TimeSpan DefaultTick = TimeSpan.FromMilliseconds(100);

    private readonly Scheduler _scheduler;
    private readonly TimeSpan _tick;
    private readonly long _tickTimestamps;                        // the tick in Stopwatch units

    // Filled by whatever thread completes a task, emptied by the reactor tasklet: the completion order.
    private readonly ConcurrentQueue<Callback> _ready = new();
    private readonly ManualResetEventSlim _wake = new(false);     // set on every completion and by Stop()

    // Owned by the scheduler's thread: registrations whose callback the reactor has not yet taken.
    private readonly HashSet<Callback> _outstanding = [];
    private Tasklet? _tasklet;
    private volatile bool _stopRequested;

    /// <summary>A reactor for the tasklets of <paramref name="scheduler"/>, yielding at least every <paramref name="tick"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tick"/> is not positive, or longer than int.MaxValue milliseconds.</exception>
    public Reactor(Scheduler scheduler, TimeSpan tick)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        if (tick <= TimeSpan.Zero || tick.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(tick), tick, "The tick must be positive and at most int.MaxValue milliseconds.");
        _scheduler = scheduler;
        _tick = tick;
        _tickTimestamps = (long)(tick.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>A reactor with the talk's tick of 0.1 s (<see cref="DefaultTick"/>).</summary>
    public Reactor(Scheduler scheduler) : this(scheduler, DefaultTick) { }

    /// <summary>The scheduler whose tasklets this reactor serves.</summary>
    public Scheduler Scheduler => _scheduler;

    /// <summary>The longest the reactor sleeps, and runs without yielding.</summary>
    public TimeSpan Tick => _tick;

    /// <summary>The reactor tasklet of the last <see cref="Start"/>, or null before the first.</summary>
    public Tasklet? Tasklet => _tasklet;

    /// <summary>True while the reactor tasklet is alive.</summary>
    public bool IsRunning => _tasklet is { Alive: true };

    /// <summary>Waits registered and not yet delivered (or dropped) by the reactor tasklet.</summary>
    public int PendingCount => _outstanding.Count;

    /// <summary>
    /// When true, the reactor tasklet also ends by itself when it is the only tasklet alive and no caller waits on
    /// it, so that <see cref="Scheduler.Run()"/> returns once the clients are done. False by default: like the
    /// talk's <c>reactor.run()</c>, it runs until <see cref="Stop"/>.
    /// </summary>
    public bool EndWhenIdle { get; set; }

    // ---- the reactor tasklet ------------------------------------------------------------------------

    /// <summary>Spawns the reactor tasklet, named "reactor" (the talk's <c>stackless.tasklet(reactor.run)()</c>); it does not run yet.</summary>
    /// <exception cref="InvalidOperationException">The reactor tasklet of an earlier Start() is still alive.</exception>
    public Tasklet Start()
    {
        if (IsRunning)
            throw new InvalidOperationException("The reactor is already running; Stop() ends its tasklet the next time it runs.");
        _stopRequested = false;
        return _tasklet = _scheduler.Spawn(Loop, "reactor");
    }

    /// <summary>
    /// Asks the reactor tasklet to end (the talk's <c>reactor.stop()</c>): it ends the next time it runs, within one
    /// tick while the scheduler runs. Callable from any thread, and from a tasklet.
    /// </summary>
    public void Stop()
    {
        _stopRequested = true;
        _wake.Set();
    }

    private async TaskletBody Loop()
    {
        while (true)
        {
            var stepStart = Stopwatch.GetTimestamp();
            await DeliverReady(stepStart);
            if (_stopRequested) return;
            if (_scheduler.RunCount == 1) // nobody else can run: wait as select() does, then yield
            {
                if (EndWhenIdle && IsIdle()) return;
                _wake.Reset(); // before the check: a completion queued after it sets the event again
                if (_ready.IsEmpty && !_stopRequested)
                {
                    _scheduler.Trace?.Add(new TraceEvent(_scheduler.Steps, TraceReason.IdleWait, _scheduler.Current));
                    _wake.Wait(_tick);
                }
                if (_stopRequested) return;
                await DeliverReady(Stopwatch.GetTimestamp());
            }
            await _scheduler.Schedule(); // the talk's __tick__
        }
    }

    /// <summary>
    /// Delivers the callbacks queued when it starts, in completion order, for at most one tick: a stream of
    /// completions cannot keep the reactor from yielding.
    /// </summary>
    private async TaskletBody DeliverReady(long stepStart)
    {
        for (var n = _ready.Count; n > 0 && _ready.TryDequeue(out var callback); n--)
        {
            _outstanding.Remove(callback);
            if (callback.CallerWaits) await callback.Fire(); // completes at once: the reply channel prefers the sender
            if (_stopRequested || Stopwatch.GetTimestamp() - stepStart >= _tickTimestamps) break;
        }
    }

    /// <summary>Only the reactor is alive, main is not queued, and no caller (main included) waits on a reply.</summary>
    private bool IsIdle()
    {
        if (_scheduler.AliveCount != 1 || !_ready.IsEmpty) return false;
        foreach (var callback in _outstanding)
            if (callback.CallerWaits) return false;
        return true;
    }

    // ---- blockOn ----------------------------------------------------------------------------------

    /// <summary>
    /// Blocks the calling tasklet until <paramref name="task"/> completes and the reactor delivers its result
    /// (the talk's <c>blockOn(deferred)</c>); raises the task's exception instead when it failed
    /// (<see cref="TaskCanceledException"/> when it was canceled). Await it in a tasklet body; from main,
    /// <c>.Value</c> runs the others until the result is there. The result always comes through the reactor, even
    /// for a task already complete, so results arrive in completion order.
    /// </summary>
    public Operation<T> BlockOn<T>(Task<T> task) => Wait(task, new Channel<T>(_scheduler, "reactor.BlockOn"),
        static (t, ch) => new RaisingCallback<T>(t, ch));

    /// <summary>Blocks the calling tasklet until <paramref name="task"/> completes (see <see cref="BlockOn{T}(Task{T})"/>).</summary>
    public BlockOnOperation BlockOn(Task task) =>
        new(Wait(task, new Channel<object?>(_scheduler, "reactor.BlockOn"), static (t, ch) => new RaisingCallback<object?>(t, ch)));

    /// <summary>
    /// The talk's tuple form: <c>(true, result)</c> when <paramref name="task"/> succeeded, <c>(false, exception)</c>
    /// when it failed; nothing is raised. Otherwise as <see cref="BlockOn{T}(Task{T})"/>.
    /// </summary>
    public Operation<(bool Ok, object? Data)> BlockOnResult<T>(Task<T> task) => Wait(task, new Channel<(bool, object?)>(_scheduler, "reactor.BlockOn"),
        static (t, ch) => new TupleCallback(t, ch, static done => ((Task<T>)done).Result));

    /// <summary>The tuple form for a task without a result: <c>(true, null)</c> or <c>(false, exception)</c>.</summary>
    public Operation<(bool Ok, object? Data)> BlockOnResult(Task task) => Wait(task, new Channel<(bool, object?)>(_scheduler, "reactor.BlockOn"),
        static (t, ch) => new TupleCallback(t, ch, static _ => null));

    /// <summary>
    /// The talk's blockOn: register the task's completion with the reactor, then receive from the reply channel.
    /// The callback is registered after the checks that the caller may drive the scheduler, and before it receives.
    /// </summary>
    private Operation<TReply> Wait<TReply>(Task task, Channel<TReply> reply, Func<Task, Channel<TReply>, Callback> callbackFor)
    {
        ArgumentNullException.ThrowIfNull(task);
        var caller = _scheduler.Current;
        if (caller.IsMain) _scheduler.CheckOwner(); else _scheduler.CheckRunning(caller);
        reply.Preference = 1; // the reactor's send makes the caller runnable and goes on with the next callback
        var callback = callbackFor(task, reply);
        _outstanding.Add(callback);
        if (task.IsCompleted) Completed(callback); // in order now, rather than from a pool thread later
        else task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => Completed(callback));
        return reply.Receive();
    }

    /// <summary>On whatever thread completed the task: queue its callback and wake the reactor.</summary>
    private void Completed(Callback callback)
    {
        _ready.Enqueue(callback);
        _wake.Set();
    }

    /// <summary>
    /// What <see cref="BlockOn(Task)"/> returns: the receive on the reply channel, whose value is dropped but whose
    /// exception is raised. (A plain <see cref="Operation"/> raises only what is thrown into a tasklet, not what a
    /// channel sends it.)
    /// </summary>
    public readonly struct BlockOnOperation : ICriticalNotifyCompletion, IStacklessAwaiter
    {
        private readonly Operation<object?> _receive;

        internal BlockOnOperation(Operation<object?> receive) => _receive = receive;

        Tasklet? IStacklessAwaiter.Suspended => _receive.SuspendedTasklet;

        /// <summary>Awaiter pattern.</summary>
        public BlockOnOperation GetAwaiter() => this;

        /// <summary>True when the calling tasklet did not have to switch away (always so for main).</summary>
        public bool IsCompleted => _receive.IsCompleted;

        /// <summary>Raises the task's exception, or what was thrown into the tasklet while it waited.</summary>
        public void GetResult() => _receive.GetResult();

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => _receive.OnCompleted(continuation);

        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation) => _receive.UnsafeOnCompleted(continuation);
    }

    /// <summary>One registered wait: what the reactor sends, and to whom.</summary>
    private abstract class Callback(Task task)
    {
        protected Task Task { get; } = task;

        /// <summary>The caller still receives on the reply channel (it was not killed or thrown into meanwhile).</summary>
        public abstract bool CallerWaits { get; }

        /// <summary>In the reactor tasklet, once the task completed: sends the outcome to the waiting caller.</summary>
        public abstract Operation Fire();
    }

    /// <summary>Sends the result, or throws the exception into the caller.</summary>
    private sealed class RaisingCallback<T>(Task task, Channel<T> reply) : Callback(task)
    {
        public override bool CallerWaits => reply.Balance < 0;

        public override Operation Fire() => Task.IsCompletedSuccessfully
            ? reply.Send(Task is Task<T> typed ? typed.Result : default!)
            : reply.SendThrow(IoWait.ErrorOf(Task));
    }

    /// <summary>Sends <c>(true, data)</c> or <c>(false, exception)</c>, the talk's success and failure callbacks.</summary>
    private sealed class TupleCallback(Task task, Channel<(bool, object?)> reply, Func<Task, object?> resultOf) : Callback(task)
    {
        public override bool CallerWaits => reply.Balance < 0;

        public override Operation Fire() => reply.Send(Task.IsCompletedSuccessfully ? (true, resultOf(Task)) : (false, IoWait.ErrorOf(Task)));
    }
}
