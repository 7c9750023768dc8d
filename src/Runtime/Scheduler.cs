using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace StacklessInteractive;

/// <summary>Called on every switch with the tasklet left and the tasklet entered (Stackless's <c>set_schedule_callback</c>).</summary>
public delegate void ScheduleCallback(Tasklet? previous, Tasklet? next);

/// <summary>Called on every channel operation (Stackless's <c>set_channel_callback</c>).</summary>
public delegate void ChannelCallback(ChannelBase channel, Tasklet tasklet, bool sending, bool willBlock);

/// <summary>
/// The cooperative, round-robin scheduler of Stackless: a run queue of tasklets, the main tasklet that
/// drives it, and the loop that resumes one tasklet at a time.
/// </summary>
/// <remarks>
/// <para><b>Steps.</b> One step (a tick of the trace) is one resumption of a tasklet until it next switches
/// away: it blocks on a channel, hands off to a partner, calls <see cref="Schedule"/>, or ends. Stackless's
/// watchdog counts bytecodes instead; a step is the unit a cooperative C# runtime can observe.</para>
/// <para><b>The main tasklet.</b> Code outside any tasklet body (a program's <c>Main</c>, a notebook cell) is
/// the main tasklet, <see cref="Main"/>. Its channel operations and <see cref="Schedule"/> run the other
/// tasklets until it can continue, then return: they complete before they return. <see cref="Run()"/>
/// takes main out of the run queue and runs the others until none is runnable.</para>
/// <para><b>Threads.</b> A scheduler is driven by one caller at a time, from any thread: state lives in the
/// instance, not in thread-local storage, so a notebook whose cells run on different pool threads sees
/// one <see cref="Current"/>. Two threads driving it at once get an <see cref="InvalidOperationException"/>.</para>
/// <para>Invariants (asserted in debug builds by <see cref="AssertInvariants"/>):</para>
/// <list type="bullet">
/// <item>Every tasklet in the run queue has Where == RunQueue and is alive; the current tasklet is not in it.</item>
/// <item>Main is in the run queue only while it waits in an operation (MainMode.Waiting), or once a tasklet inserted
/// it while it was out of the ring in Run() (then its turn ends the run).</item>
/// <item>The runner of the innermost loop (<c>_runner</c>) is main or a tasklet inside its own Run(); only such
/// tasklets carry the runner flag, and a tasklet's runner is out of the ring while its loop runs.</item>
/// <item>Outside the loop, <see cref="Current"/> is <see cref="Main"/>.</item>
/// <item>The registry of alive tasklets holds exactly the tasklets that are alive, main excepted.</item>
/// </list>
/// </remarks>
public sealed partial class Scheduler
{
    private static Scheduler s_default = new();

    /// <summary>The scheduler behind <see cref="Stackless"/> and channels created without one.</summary>
    public static Scheduler Default => Volatile.Read(ref s_default);

    /// <summary>
    /// Installs a fresh <see cref="Default"/> scheduler and returns it (a notebook's "start again"). The old one's
    /// tasklets are killed first, oldest first (their <c>finally</c> blocks run; what they raise other than
    /// <see cref="TaskletExit"/> is written to stderr and ignored, as Stackless reports what a dying tasklet raises),
    /// and the old scheduler is marked replaced: any later use of its channels or tasklets raises
    /// <see cref="SchedulerReplacedException"/> at once, naming <paramref name="replacedBy"/>. Ids start again from 0
    /// on the new one.
    /// </summary>
    /// <param name="replacedBy">What replaced it, for the error message (a notebook passes its reset command).</param>
    /// <exception cref="InvalidOperationException">The current default is being driven (a run, a step or an
    /// operation of main is under way, or a tasklet asks).</exception>
    public static Scheduler ResetDefault(string replacedBy = "Scheduler.ResetDefault()")
    {
        ArgumentNullException.ThrowIfNull(replacedBy);
        var old = Default;
        if (Volatile.Read(ref old._busy) != 0 || !old._current.IsMain)
        {
            var why = RunningTasklet is { } asking && asking.Scheduler == old ? "asked by tasklet " + asking.Name
                : "a run or an operation of main is under way";
            throw new InvalidOperationException($"{replacedBy} cannot replace the scheduler while it runs ({why}); do it once the run has returned.");
        }
        old.KillAll();
        old._replacedBy = replacedBy;
        var fresh = new Scheduler();
        Volatile.Write(ref s_default, fresh);
        return fresh;
    }

    // Set once the scheduler was replaced (ResetDefault): what replaced it. Read only on slow paths (an operation
    // outside any step of this scheduler, a switch to a dead tasklet), never on a hand-off.
    private string? _replacedBy;

    /// <summary>Kills every alive tasklet, oldest first, a few rounds (a <c>finally</c> block may block or spawn).</summary>
    private void KillAll()
    {
        for (var round = 0; round < 3 && _alive.Count > 0; round++)
        {
            foreach (var t in Tasklets)
            {
                if (!t.Alive) continue;
                try { t.Kill(); }
                catch (Exception e) { Console.Error.WriteLine($"Exception ignored while killing {t.Name}: {e.GetType().Name}: {e.Message}"); }
            }
        }
    }

    /// <summary>Raises <see cref="SchedulerReplacedException"/> when this scheduler was replaced (a slow path's check).</summary>
    internal void CheckNotReplaced(Tasklet t)
    {
        if (_replacedBy is { } by) throw new SchedulerReplacedException("tasklet", t.Name, by);
    }

    /// <inheritdoc cref="CheckNotReplaced(Tasklet)"/>
    internal void CheckNotReplaced(ChannelBase channel)
    {
        if (_replacedBy is { } by) throw new SchedulerReplacedException("channel", channel.Name, by);
    }

    /// <summary>True once <see cref="ResetDefault"/> replaced this scheduler: its channels and tasklets raise when used.</summary>
    public bool Replaced => _replacedBy is not null;

    private enum MainMode : byte { Running, InRun, Waiting }
    private enum LoopEnd : byte { Empty, RunnerResumed, OutOfSteps, OuterRunner }

    private TaskletQueue _runQueue;
    private Tasklet? _runNext;        // the front of the run queue, kept apart while it is about to run

    private readonly Tasklet _main;
    private Tasklet _current;
    private MainMode _mainMode;
    private int _busy;                // 1 while a caller drives the scheduler
    private long _steps;
    private nuint _loopStack;         // a stack address in the running loop's frame (see CheckRunning)
    private nuint _stepStack;         // _loopStack while a tasklet's step runs (then _current is that tasklet), else 0
    private Tasklet? _interrupted;    // the tasklet whose step was the last one a watchdog allowed
    private Tasklet _runner;          // whose loop is innermost: main, or a tasklet inside its own Run() (see RunFrom)
    private long _sliceBudget;        // the per-slice watchdog's steps per slice, 0 when the watchdog counts the total
    private long _sliceStart;         // _steps when the current slice began (kept only while _sliceBudget != 0)
    private bool _observesSwitches;   // a schedule callback or the per-slice watchdog: Step calls OnSwitch at a switch
    private object? _reviveError;     // the exception a revived Run() raises (see CheckCanLeaveEmptyRing)
    private int _switchTrap;

    // The scheduler whose loop runs on this thread, set once per loop entry: how the builder's rare foreign-await
    // path and CheckOwner know which step runs here. Everything else follows the notebook's logical flow as
    // instance state, and the hot path does not read it (see CheckRunning).
    [ThreadStatic] private static Scheduler? t_driving;

    /// <summary>The tasklet whose step runs on this thread, or null outside any step.</summary>
    internal static Tasklet? RunningTasklet => t_driving is { InStep: true } s ? s._current : null;

    private bool InStep => _stepStack != 0;

    private readonly TaskletRegistry _alive = new(); // alive tasklets (not main), in no order
    private TraceRecorder? _trace;
    private ScheduleStrategy? _strategy; // null: Stackless's FIFO, and the loop never looks at it (see RunLoop)
    private int _nextChannelId;
    private int _nextTaskletId = -1; // main takes 0

    // Asynchronous waits (BlockOn). Completions arrive on any thread and queue here in the order they complete;
    // the loop takes them on its own thread, so a given order of completions always gives the same schedule.
    private int _ioWaiting;                                   // tasklets (main included) in Where.Io
    private int _completionsPending;                          // completions queued and not yet taken
    // Both made by the first wait (StartWaiting, before any completion can arrive): a scheduler that never waits on
    // I/O, such as each of the thousands an exploration makes, does not pay for them.
    private System.Collections.Concurrent.ConcurrentQueue<IoWait>? _completions;
    private SemaphoreSlim? _completionSignal;

    /// <summary>
    /// The run queue for everything but the hot path: first puts back <see cref="_runNext"/>, the preferred
    /// partner that <see cref="PlacePreferenceSwitch"/> sets aside so that the loop can take it with one write
    /// instead of a push and a pop. Appending needs no flush (the register is the front).
    /// </summary>
    private ref TaskletQueue Queue
    {
        get
        {
            if (_runNext is { } t) { _runNext = null; _runQueue.PushFront(t); }
            return ref _runQueue;
        }
    }

    // A weak GC handle to this scheduler, as a number: what an operation that suspended keeps instead of a reference
    // (see Operation), so that the awaiter the compiler copies into the body's state machine at every suspension
    // holds no GC reference and the copy costs no write barrier. Weak, so that it keeps nothing alive; the finalizer
    // frees it.
    /// <summary>This scheduler's weak handle as a number, never 0 (see <see cref="CurrentOf"/>).</summary>
    internal readonly nint Handle;

    /// <summary>
    /// The current tasklet of the scheduler whose <see cref="Handle"/> is <paramref name="handle"/>, or null for 0:
    /// how a suspended operation finds its tasklet. It is read while that scheduler is alive and driven (the step
    /// that made the operation, or the one that resumes it), where its current tasklet is the one suspended.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tasklet? CurrentOf(nint handle)
        => handle == 0 ? null : Unsafe.As<Scheduler>(GCHandle.FromIntPtr(handle).Target)!._current;

    /// <summary>Frees the weak handle.</summary>
    ~Scheduler()
    {
        if (Handle != 0) GCHandle.FromIntPtr(Handle).Free(); // 0 when the constructor did not finish
    }

    /// <summary>Creates a scheduler with its own main tasklet.</summary>
    public Scheduler()
    {
        _main = new Tasklet(this, isMain: true);
        Handle = GCHandle.ToIntPtr(GCHandle.Alloc(this, GCHandleType.Weak));
        _current = _main;
        _runner = _main;
    }

    // ---- observation ----------------------------------------------------------------------------

    /// <summary>The main tasklet: the code that drives this scheduler.</summary>
    public Tasklet Main => _main;

    /// <summary>The tasklet running now (Stackless's <c>getcurrent()</c>); <see cref="Main"/> outside the loop.</summary>
    public Tasklet Current => _current;

    /// <summary>
    /// The number of runnable tasklets, the current one included, counted as Stackless counts it: main is not
    /// in the queue during <see cref="Run()"/>, so after <c>Run()</c> returns this is 1 (main alone).
    /// </summary>
    public int RunCount => _runQueue.Count + (_runNext is null ? 0 : 1) + (_current.Where == Where.Running ? 1 : 0);

    /// <summary>Steps run so far by this scheduler.</summary>
    public long Steps => _steps;

    /// <summary>Tasklets alive (set up and not ended), main not counted.</summary>
    public int AliveCount => _alive.Count;

    /// <summary>The run queue in order (the next to run first); the current tasklet is not in it.</summary>
    public IReadOnlyList<Tasklet> RunQueue => Queue.ToList();

    /// <summary>Every alive tasklet, oldest first, main not included.</summary>
    public IReadOnlyList<Tasklet> Tasklets
    {
        get
        {
            var list = _alive.ToList();
            list.Sort(static (a, b) => a.Id.CompareTo(b.Id));
            return list;
        }
    }

    /// <summary>Alive tasklets blocked on a channel or waiting on I/O, oldest first.</summary>
    public IReadOnlyList<Tasklet> BlockedTasklets => Tasklets.Where(t => t.Blocked).ToList();

    internal bool MainIsScheduled => _mainMode != MainMode.InRun;

    /// <summary>
    /// Called on every switch (Stackless's <c>set_schedule_callback</c>), before it: <see cref="Current"/> is still
    /// the tasklet being left, as in Stackless.
    /// </summary>
    public ScheduleCallback? ScheduleCallback { get => _scheduleCallback; set { _scheduleCallback = value; UpdateHooks(); } }

    /// <summary>
    /// Called on every channel operation (Stackless's <c>set_channel_callback</c>), before it; the caller's
    /// <see cref="Tasklet.TempVal"/> is the value being sent meanwhile.
    /// </summary>
    public ChannelCallback? ChannelCallback { get => _channelCallback; set { _channelCallback = value; UpdateHooks(); } }

    private ScheduleCallback? _scheduleCallback;
    private ChannelCallback? _channelCallback;

    /// <summary>True while a channel callback is set or the switch trap is on: channel operations then take their slow path.</summary>
    internal bool ObservesChannels;

    private void UpdateHooks()
    {
        _observesSwitches = _scheduleCallback is not null || _sliceBudget != 0;
        ObservesChannels = _channelCallback is not null || _switchTrap > 0;
    }

    // The caller of the channel operation whose callback runs, and the value it sends: its tempval meanwhile.
    private Tasklet? _callbackCaller;
    private object? _callbackSent;

    internal void NotifyChannel(ChannelCallback callback, ChannelBase channel, Tasklet caller, bool sending, bool willBlock, object? sent)
    {
        var (outerCaller, outerSent) = (_callbackCaller, _callbackSent);
        (_callbackCaller, _callbackSent) = (caller, sent);
        try { callback(channel, caller, sending, willBlock); }
        finally { (_callbackCaller, _callbackSent) = (outerCaller, outerSent); }
    }

    /// <summary>The tempval of <paramref name="t"/> while its channel operation's callback runs: the value it sends.</summary>
    internal object? CallbackTempVal(Tasklet t) => t == _callbackCaller ? _callbackSent : null;

    /// <summary>
    /// Stackless's <c>switch_trap</c> level: while positive, every operation that would switch to another tasklet
    /// raises an <see cref="InvalidOperationException"/> saying "switch_trap" (schedule, schedule_remove, run, a
    /// tasklet's run and switch, a send or receive that blocks or hands over with a switch, throw, raise_exception
    /// and kill). Operations that do not switch (switching to oneself, a hand-off that lets the caller continue) are
    /// allowed. Checked only on slow paths: channel operations see it through the flag their callback check reads.
    /// </summary>
    public int SwitchTrap { get => _switchTrap; set { _switchTrap = value; UpdateHooks(); } }

    private void CheckSwitchTrap()
    {
        if (_switchTrap > 0) throw SwitchTrapped();
    }

    internal static InvalidOperationException SwitchTrapped() => new("switch_trap: no switch is allowed while the scheduler's SwitchTrap is positive.");

    /// <summary>
    /// Makes the current tasklet <see cref="Tasklet.Atomic"/> until the scope is disposed, then gives it back its old
    /// value (Stackless's <c>with stackless.atomic():</c>).
    /// </summary>
    public AtomicScope Atomic() => new(_current);

    /// <summary>
    /// When set, an exception escaping a tasklet is passed here instead of being raised in the main tasklet;
    /// the scheduler then carries on. Exceptions the handler throws reach the main tasklet.
    /// </summary>
    public Action<Tasklet, Exception>? ErrorHandler { get; set; }

    /// <summary>The tick trace: set a <see cref="TraceRecorder"/> to record every step; null (the default) costs nothing.</summary>
    public TraceRecorder? Trace { get => _trace; set => _trace = value; }

    /// <summary>
    /// Who chooses at each choice point (which runnable tasklet runs next, which ready case of a <c>Select</c>
    /// wins); null (the default) is Stackless's own order, and costs nothing. Set it before running, from main.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set while the scheduler runs.</exception>
    public ScheduleStrategy? Strategy
    {
        get => _strategy;
        set
        {
            if (Volatile.Read(ref _busy) != 0) throw new InvalidOperationException("The schedule strategy is set between runs, not while the scheduler runs.");
            _strategy = value;
        }
    }

    internal int NextChannelId() => Interlocked.Increment(ref _nextChannelId);

    // Channels created while TrackChannels is on, held weakly: a view can list them without keeping them alive.
    private System.Runtime.CompilerServices.ConditionalWeakTable<ChannelBase, object?>? _channels;

    /// <summary>
    /// When true, channels created from now on are remembered (weakly) and listed by <see cref="Channels"/>, for
    /// views of the scheduler's state. Off by default: a program with a million channels does not pay for it.
    /// </summary>
    public bool TrackChannels
    {
        get => _channels is not null;
        set => _channels = value ? _channels ?? new() : null;
    }

    /// <summary>The channels created on this scheduler while <see cref="TrackChannels"/> was on and still alive, oldest first.</summary>
    public IReadOnlyList<ChannelBase> Channels =>
        _channels is null ? [] : _channels.Select(pair => pair.Key).OrderBy(channel => channel.Id).ToList();

    internal void Track(ChannelBase channel) => _channels?.AddOrUpdate(channel, null);

    // The names given to tasklets and channels, held weakly: most of a large program's have none, and a field in
    // each would cost a million blocked tasklets, each with its channel, 16 bytes apiece.
    private System.Runtime.CompilerServices.ConditionalWeakTable<object, string>? _names;

    /// <summary>The name given to a tasklet or channel of this scheduler, or null.</summary>
    internal string? NameOf(object taskletOrChannel)
        => _names is { } names ? (names.TryGetValue(taskletOrChannel, out var name) ? name : null) : StrongNameOf(taskletOrChannel);

    /// <summary>Names a tasklet or channel; null takes the name away (back to the default).</summary>
    internal void SetName(object taskletOrChannel, string? name)
    {
        if (_strongNames is not null) { SetStrongName(taskletOrChannel, name); return; }
        if (name is null) { _names?.Remove(taskletOrChannel); return; }
        if (_names is null) Interlocked.CompareExchange(ref _names, new(), null);
        _names.AddOrUpdate(taskletOrChannel, name);
    }

    internal int NextTaskletId() => Interlocked.Increment(ref _nextTaskletId);

    // ---- creating tasklets ------------------------------------------------------------------------

    /// <summary>Creates a tasklet running <paramref name="body"/> and appends it to the run queue. It does not run yet.</summary>
    public Tasklet Spawn(Func<TaskletBody> body, string? name = null)
        => SpawnWith(body ?? throw new ArgumentNullException(nameof(body)), name); // the delegate is its own starter

    /// <summary>Creates a tasklet running <c>body(arg1)</c> and appends it to the run queue.</summary>
    public Tasklet Spawn<T1>(Func<T1, TaskletBody> body, T1 arg1, string? name = null)
        => SpawnWith(Starter<T1>.For(this, body ?? throw new ArgumentNullException(nameof(body)), arg1), name);

    /// <summary>Creates a tasklet running <c>body(arg1, arg2)</c> and appends it to the run queue.</summary>
    public Tasklet Spawn<T1, T2>(Func<T1, T2, TaskletBody> body, T1 arg1, T2 arg2, string? name = null)
        => SpawnWith(Starter<T1, T2>.For(this, body ?? throw new ArgumentNullException(nameof(body)), arg1, arg2), name);

    /// <summary>Creates a tasklet running <c>body(arg1, arg2, arg3)</c> and appends it to the run queue.</summary>
    public Tasklet Spawn<T1, T2, T3>(Func<T1, T2, T3, TaskletBody> body, T1 arg1, T2 arg2, T3 arg3, string? name = null)
        => SpawnWith(Starter<T1, T2, T3>.For(this, body ?? throw new ArgumentNullException(nameof(body)), arg1, arg2, arg3), name);

    /// <summary>Creates a tasklet whose body is an <c>async Task</c> (slower and larger than <see cref="TaskletBody"/>).</summary>
    public Tasklet SpawnTask(Func<Task> body, string? name = null)
        => SpawnWith(new TaskStarter(body ?? throw new ArgumentNullException(nameof(body))), name);

    /// <summary>Creates a tasklet whose body is a plain method: it runs in one step.</summary>
    public Tasklet SpawnAction(Action body, string? name = null)
        => SpawnWith(new ActionStarter(body ?? throw new ArgumentNullException(nameof(body))), name);

    // A started tasklet's starter, cleared, for the next spawn of its type (see Starter<T1>): recycled rather than
    // left to the GC between the objects of the tasklets spawned after it.
    internal TaskletStarter? SpareStarter;

    /// <summary>A new tasklet whose body starts with <paramref name="starter"/> (a TaskletStarter or a Func&lt;TaskletBody&gt;), queued.</summary>
    private Tasklet SpawnWith(object starter, string? name)
    {
        var t = new Tasklet(this) { Body = starter };
        if (name is not null) t.Name = name;
        Spawn(t);
        return t;
    }

    internal void Spawn(Tasklet t)
    {
        Register(t);
        MakeRunnable(t);
        _trace?.Add(new TraceEvent(_steps, TraceReason.Spawn, t));
        _strategy?.OnTouched(null);
    }

    /// <summary>Makes a bound tasklet alive (paused until queued) and adds it to the registry.</summary>
    internal void Register(Tasklet t)
    {
        CheckOwner();
        AssertInvariants();
        t.MarkAlive();
        t.Where = Where.Nowhere;
        _alive.Add(t);
    }

    /// <summary>Drops a paused tasklet's body before it is bound again.</summary>
    internal void Unbind(Tasklet t)
    {
        Retire(t);
        t.Where = Where.Nowhere;
    }

    /// <summary>
    /// Marks a tasklet that is in no queue dead and drops all it holds: its body, its resume point, the channel it last
    /// waited on (see <see cref="Tasklet.WaitingOn"/>) and any value in transit, and takes it out of the registry.
    /// </summary>
    private void Retire(Tasklet t)
    {
        if (t.Alive) Unregister(t);
        t.Body = null;
        t.Resume = null;
        t.WaitingOn = null;
        t.ClearTransit();
        t.Depth = 0;
        t.MarkDead();
    }

    private void Unregister(Tasklet t) => _alive.Remove(t);

    // ---- running ---------------------------------------------------------------------------------

    /// <summary>
    /// Runs the tasklets until none is runnable (Stackless's <c>run()</c>); tasklets still blocked on channels
    /// stay blocked (see <see cref="GetDeadlockReport"/>). An exception escaping a tasklet comes out of here,
    /// the other tasklets staying runnable.
    /// </summary>
    public void Run() => Run(long.MaxValue);

    /// <summary>
    /// Runs at most <paramref name="maxSteps"/> steps: the watchdog. When steps are left over it returns the
    /// tasklet that ran the last step, if that tasklet is still runnable and not <see cref="Tasklet.Atomic"/>:
    /// it is taken out of the run queue (paused) until <see cref="Tasklet.Insert"/>. Otherwise it returns null.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSteps"/> is negative.</exception>
    public Tasklet? Run(long maxSteps) => Run(maxSteps, soft: false);

    /// <summary>
    /// Runs at most <paramref name="maxSteps"/> steps. With <paramref name="soft"/> false this is the watchdog of
    /// <see cref="Run(long)"/>. With <paramref name="soft"/> true (Stackless's soft interrupt) nothing is paused:
    /// the run queue stays exactly as the last step left it, so running on later continues the same schedule;
    /// it returns null. Single-stepping a program (a notebook's <c>#!step</c>) uses the soft form. In both forms a
    /// tasklet that preempted itself (<see cref="Preempt"/>) ends the run and is returned, paused.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSteps"/> is negative.</exception>
    public Tasklet? Run(long maxSteps, bool soft) => Run(maxSteps, soft, totalTimeout: true);

    /// <summary>
    /// Runs with a watchdog of <paramref name="maxSteps"/> steps. With <paramref name="totalTimeout"/> true (the
    /// default here, and what <see cref="Run(long)"/> does) they are a total for the whole run (Stackless's
    /// <c>totaltimeout=True</c>). With it false (Stackless's default for <c>run(timeout)</c>) they are a budget per
    /// slice: it restarts whenever another tasklet runs, so a tasklet is interrupted only when it alone runs
    /// <paramref name="maxSteps"/> steps in a row and would run another; tasklets that take turns never are.
    /// <paramref name="soft"/> is as in <see cref="Run(long, bool)"/>.
    /// </summary>
    /// <remarks>
    /// Any tasklet may call <c>Run</c> (Stackless's nested <c>run()</c>): its step runs the queue from inside it, the
    /// caller paused meanwhile (out of the ring, <see cref="Current"/> being whichever tasklet runs), and continues
    /// when no other tasklet is runnable, or when it is switched to (inserted, run, thrown into); an exception
    /// escaping a tasklet comes out of the inner <c>Run</c>. A nested run also ends early when the tasklet whose
    /// loop lies further down the stack (main waiting in an operation, an outer nested runner) becomes next.
    /// When the last runnable tasklet blocks in <see cref="Channel{T}.SendException"/> or
    /// <see cref="Channel{T}.SendThrow"/>, <c>Run</c> raises that exception (Stackless's revive rule; the sender stays
    /// blocked and its copy still reaches the next receiver).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSteps"/> is negative.</exception>
    public Tasklet? Run(long maxSteps, bool soft = false, bool totalTimeout = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSteps);
        var caller = _current;
        if (caller.IsMain) Enter();
        else CheckRunning(caller); // another thread while the loop runs gets the one-caller error
        try
        {
            if (PickNext() is not null) CheckSwitchTrap();
            var interrupted = RunFrom(caller, maxSteps, soft, totalTimeout);
            caller.DropTempVal();
            return interrupted;
        }
        finally
        {
            if (caller.IsMain) Exit();
        }
    }

    /// <summary>
    /// Stackless's <c>run()</c> by <paramref name="caller"/> (main, or the tasklet whose step calls it), also what
    /// main's <c>switch</c> and <c>schedule_remove</c> do: the caller leaves the ring (paused: main's mode is InRun,
    /// a tasklet becomes the runner of a nested loop) and the loop runs until the ring empties, the caller is
    /// switched to, or the watchdog fires. The caller's tempval is left for it to take.
    /// </summary>
    private Tasklet? RunFrom(Tasklet caller, long maxSteps, bool soft, bool totalTimeout)
    {
        var outerRunner = _runner;
        var (outerBudget, outerSliceStart) = (_sliceBudget, _sliceStart); // a nested run has its own watchdog
        _interrupted = null; // only a tasklet stepped by this run can be its interrupted one
        _reviveError = null;
        if (caller.IsMain) _mainMode = MainMode.InRun;
        else
        {
            caller.SetRunner(true);
            _runner = caller;
        }
        caller.Where = Where.Nowhere;
        _sliceBudget = totalTimeout || maxSteps == long.MaxValue ? 0 : maxSteps;
        UpdateHooks();
        try
        {
            var limit = maxSteps > long.MaxValue - _steps ? long.MaxValue : _steps + maxSteps;
            var end = RunLoop(limit);
            if (end == LoopEnd.Empty && _reviveError is { } revived)
            {
                _reviveError = null;
                Tasklet.Raise(revived);
            }
            if (end == LoopEnd.RunnerResumed && caller.HasPending) Tasklet.Raise(caller.TakePending()); // a nested runner thrown into
            if (end == LoopEnd.RunnerResumed && _preempted is not null) return TakePreempted(); // the step preempted itself
            if (end != LoopEnd.OutOfSteps) return null;
            var interrupted = _interrupted;
            _interrupted = null;
            if (soft) return null;
            if (interrupted is null || interrupted.Where != Where.RunQueue) return null;
            Queue.Remove(interrupted);
            interrupted.Where = Where.Nowhere;
            _trace?.Add(new TraceEvent(_steps, TraceReason.Interrupted, interrupted));
            return interrupted;
        }
        finally
        {
            if (caller.Where == Where.RunQueue) Queue.Remove(caller); // inserted, but the run ended before its turn
            if (caller.IsMain) _mainMode = MainMode.Running;
            else
            {
                caller.SetRunner(false);
                _runner = outerRunner;
            }
            caller.Where = Where.Running;
            (_sliceBudget, _sliceStart) = (outerBudget, outerSliceStart);
            UpdateHooks();
        }
    }

    /// <summary>
    /// The watchdog's interruption, asked for by the running tasklet itself: it ends the <see cref="Run(long, bool)"/>
    /// that steps the caller, which is paused (out of the run queue, as the watchdog pauses the tasklet it interrupts)
    /// and returned by that Run, soft or not; <see cref="Tasklet.Insert"/> continues it where it left off. Stackless's
    /// watchdog counts bytecodes, which a C# body does not have: code that must stop bodies that never switch calls
    /// this from checks in their loops (the notebook extension injects them into <c>#!tasklet</c> bodies).
    /// Anywhere it cannot apply (main, another thread, a step of an operation main waits in rather than of a Run) it
    /// does nothing and returns a completed operation. Costs nothing when unused: the loop finds the run's caller
    /// next and returns, as it does when that caller is switched to.
    /// </summary>
    public Operation Preempt()
    {
        var caller = _current;
        var runner = _runner; // main in its Run(), or a tasklet in a nested Run()
        if (caller.IsMain || caller == runner || (runner.IsMain && _mainMode != MainMode.InRun) || !StepRunsHere())
            return Operation.Completed;
        BeginSuspend(caller);
        _trace?.Add(new TraceEvent(_steps, TraceReason.Interrupted, caller));
        caller.Where = Where.Nowhere;
        _preempted = caller;
        _ = Queue; // the preferred partner, if any, back to the front: the runner goes before it
        runner.Where = Where.RunQueue;
        _runNext = runner;
        return Operation.Suspended(this);
    }

    private Tasklet? _preempted; // the tasklet that called Preempt, until its Run returns it

    private Tasklet? TakePreempted()
    {
        var preempted = _preempted;
        _preempted = null;
        Debug.Assert(preempted is not null, "A preemption ended the run.");
        return preempted;
    }

    /// <summary>
    /// Yields: the current tasklet goes to the end of the run queue and the next one runs
    /// (Stackless's <c>schedule()</c>). From main, it runs one round of the others and returns.
    /// </summary>
    public Operation Schedule() => Yield(remove: false);

    /// <summary>Like <see cref="Schedule"/>, but the current tasklet is paused instead of queued (Stackless's <c>schedule_remove()</c>).</summary>
    public Operation ScheduleRemove() => Yield(remove: true);

    /// <summary>
    /// Stackless's <c>schedule(retval)</c>: yields like <see cref="Schedule()"/> and gives back
    /// <paramref name="value"/> when the tasklet runs again.
    /// </summary>
    public Operation<T> Schedule<T>(T value) => Yield(remove: false, value);

    /// <summary>
    /// Stackless's <c>schedule_remove(retval)</c>: pauses like <see cref="ScheduleRemove()"/> and gives back
    /// <paramref name="value"/> when the tasklet is inserted and runs again.
    /// </summary>
    public Operation<T> ScheduleRemove<T>(T value) => Yield(remove: true, value);

    private Operation<T> Yield<T>(bool remove, T value)
    {
        var caller = _current;
        var op = Yield(remove, value, keepsValue: true); // the value is the caller's tempval meanwhile
        return op.IsCompleted ? new Operation<T>(caller.TakeValue<T>()) : Operation<T>.Suspended(this);
    }

    private Operation Yield(bool remove) => Yield(remove, null, keepsValue: false);

    /// <summary>
    /// schedule and schedule_remove. <paramref name="value"/> becomes the caller's tempval when
    /// <paramref name="keepsValue"/> (Schedule(value)), to be taken when it resumes, whatever it holds then.
    /// Main's schedule_remove is its <c>run()</c>: main leaves the ring until it empties or main is inserted; alone,
    /// main stays and returns at once (Stackless re-inserts it).
    /// </summary>
    private Operation Yield(bool remove, object? value, bool keepsValue)
    {
        var caller = _current;
        if (caller.IsMain)
        {
            Enter();
            try
            {
                if (keepsValue) caller.SetTempVal(value);
                if (Queue.First is null) return Operation.Completed;
                CheckSwitchTrap();
                _trace?.Add(new TraceEvent(_steps, remove ? TraceReason.ScheduleRemove : TraceReason.Schedule, caller));
                if (remove) RunFrom(caller, long.MaxValue, soft: false, totalTimeout: true);
                else
                {
                    MakeRunnable(_main);
                    MainWait();
                }
                if (!keepsValue) caller.DropTempVal();
            }
            catch
            {
                caller.DropTempVal();
                throw;
            }
            finally { Exit(); }
            return Operation.Completed;
        }
        CheckRunning(caller);
        if (_switchTrap > 0 && (remove || PickNext() is not null)) throw SwitchTrapped(); // alone, schedule() does not switch
        if (remove) CheckCanLeaveRing(caller);
        BeginSuspend(caller);
        if (keepsValue) caller.SetTempVal(value);
        _trace?.Add(new TraceEvent(_steps, remove ? TraceReason.ScheduleRemove : TraceReason.Schedule, caller));
        if (remove) caller.Where = Where.Nowhere;
        else MakeRunnable(caller);
        return Operation.Suspended(this);
    }

    /// <summary>The one place that chooses the next runnable: FIFO, as Stackless's round robin.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Tasklet? PickNext() => _runNext ?? _runQueue.First;

    /// <summary>Takes <paramref name="next"/>, which <see cref="PickNext"/> returned, out of the run queue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TakeNext(Tasklet next)
    {
        if (_runNext == next) _runNext = null;
        else _runQueue.PopFront();
    }

    /// <summary>
    /// Resumes tasklets until the runner's turn comes (main waiting in an operation or inserted, a nested Run()'s
    /// caller switched to), a runner of a loop further down the stack is next, the run queue is empty, or the
    /// watchdog fires at <paramref name="stepLimit"/> (see <see cref="WatchdogExpires"/>). Re-entrant: a tasklet's
    /// step may run it again (a nested Run()), on its own stack, with <see cref="Current"/> restored to the caller after.
    /// </summary>
    private unsafe LoopEnd RunLoop(long stepLimit)
    {
        nuint marker = 0;
        var savedStack = _loopStack;
        var savedStepStack = _stepStack; // a nested Run(): the step that called it goes on once this loop returns
        _loopStack = (nuint)(&marker); // see CheckRunning
        _stepStack = 0;
        var savedContext = SynchronizationContext.Current;
        if (savedContext is not null) SynchronizationContext.SetSynchronizationContext(null);
        var savedDriving = t_driving;
        t_driving = this;
        try
        {
            if (_strategy is not null) return RunChosen(stepLimit); // once per loop entry: the FIFO loop below is untouched
            while (true)
            {
                AssertInvariants();
                if (_ioWaiting != 0 && Volatile.Read(ref _completionsPending) != 0) TakeCompletions();
                var next = PickNext();
                if (next is null)
                {
                    if (_ioWaiting == 0) return LoopEnd.Empty;
                    if (_steps >= stepLimit && _sliceBudget == 0) { _interrupted = null; return LoopEnd.OutOfSteps; } // a total watchdog does not wait
                    WaitForCompletion(); // every tasklet waits on I/O: sleep until one completes, not spin
                    continue;
                }
                if (next.IsRunner) // main, or a tasklet in a nested Run(): its turn ends a loop
                {
                    if (next != _runner) return LoopEnd.OuterRunner; // left queued for the loop further down the stack
                    TakeNext(next);
                    next.Where = Where.Running;
                    return LoopEnd.RunnerResumed;
                }
                if (_steps >= stepLimit && WatchdogExpires(next, ref stepLimit))
                {
                    _interrupted = _current;
                    return LoopEnd.OutOfSteps;
                }
                TakeNext(next);
                Step(next);
            }
        }
        finally
        {
            _stepStack = savedStepStack;
            _loopStack = savedStack;
            t_driving = savedDriving;
            var previous = _current;
            if (previous != _runner && _scheduleCallback is not null) NotifySchedule(previous, _runner);
            _current = _runner;
            if (savedContext is not null) SynchronizationContext.SetSynchronizationContext(savedContext);
        }
    }

    /// <summary>
    /// The watchdog's step limit is reached before <paramref name="next"/> steps: true when it interrupts. A total
    /// budget (<see cref="_sliceBudget"/> 0) interrupts unless the last stepped tasklet is atomic and runnable. A
    /// budget per slice moves <paramref name="stepLimit"/> to the end of the current slice instead, and interrupts
    /// only when the tasklet that ran the whole slice would run again; an atomic one gets a new budget (as in
    /// Stackless). So the hot loop keeps its one compare, and the slices are tracked by <see cref="OnSwitch"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool WatchdogExpires(Tasklet next, ref long stepLimit)
    {
        if (_sliceBudget == 0) return !(_current is { Atomic: true, Where: Where.RunQueue });
        if (next != _current)
        {
            stepLimit = SaturatingAdd(_steps, _sliceBudget); // next's slice starts with its step
            return false;
        }
        var sliceEnd = SaturatingAdd(_sliceStart, _sliceBudget);
        if (_steps < sliceEnd) { stepLimit = sliceEnd; return false; }
        if (!_current.Atomic) return true;
        _sliceStart = _steps;
        stepLimit = SaturatingAdd(_steps, _sliceBudget);
        return false;
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    /// <summary>
    /// One step: resume <paramref name="t"/> where it last switched away (or start its body) and let it run until
    /// it switches again. Suspended bodies never throw (their builder keeps the exception), so the hot path has no
    /// exception handling; what needs it (starting a body, a body that ended) is out of line.
    /// </summary>
    private void Step(Tasklet t)
    {
        var previous = _current;
        if (_observesSwitches && previous != t) OnSwitch(previous, t);
        _current = t;
        t.Where = Where.Running;
        t.StepCount++;
        _steps++;
        if (_trace is not null) TraceStep(t);
        _stepStack = _loopStack;
        var resume = t.Resume; // left in place: the usual next resume point is the same box
        if (resume is not null) resume.MoveNext(); // one type, so no type test on the hot path
        else if (StartBody(t) is { } error) { _stepStack = 0; EndOfStep(t, error); return; }
        _stepStack = 0;
        if (t.SuspendPending || t.Where == Where.Running) EndOfStep(t, null);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TraceStep(Tasklet t) => _trace!.Add(_steps, TraceReason.Run, t);

    /// <summary>Calls the body for the first time; returns what a body that is not a TaskletBody threw at once.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ExceptionDispatchInfo? StartBody(Tasklet t)
    {
        t.MarkStarted();
        var starter = t.Body!;
        t.Body = null;
        try
        {
            if (t.HasPending) Tasklet.Raise(t.TakePending()); // thrown into (or killed) before it ever ran: it raises at its start
            t.DropTempVal(); // claimed at its first switch-in, as every tempval
            if (starter is Func<TaskletBody> function) TaskletStarter.Accept(t, function());
            else ((TaskletStarter)starter).Start(t);
            return null;
        }
        catch (Exception e)
        {
            return ExceptionDispatchInfo.Capture(e);
        }
    }

    /// <summary>A switch from <paramref name="previous"/> to <paramref name="next"/>: a new slice, and the schedule callback.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OnSwitch(Tasklet previous, Tasklet next)
    {
        _sliceStart = _steps;
        if (_scheduleCallback is not null) NotifySchedule(previous, next);
    }

    /// <summary>
    /// Calls the schedule callback. Like Stackless (which reports it as unraisable), an exception it throws is
    /// written to stderr and ignored, so that a failing callback cannot leave a tasklet half-switched.
    /// </summary>
    private void NotifySchedule(Tasklet previous, Tasklet next)
    {
        try { _scheduleCallback?.Invoke(previous, next); }
        catch (Exception e) { Console.Error.WriteLine("Exception ignored in the scheduling callback: " + e); }
    }

    /// <summary>The step ended without a proper switch: the body finished, or misused an operation.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EndOfStep(Tasklet t, ExceptionDispatchInfo? error)
    {
        if (RunBounced(t, ref error)) return;
        if (t.SuspendPending)
        {
            // An operation switched the tasklet away but the body never awaited it.
            Detach(t);
            error ??= ExceptionDispatchInfo.Capture(new InvalidOperationException(
                $"{t.Name} started a Stackless operation without awaiting it: await every Send, Receive and Schedule in a tasklet body."));
        }
        else if (error is null)
        {
            switch (t.Body)
            {
                case BodyBox box when box.IsCompleted: error = box.Exception; break;
                case Task { IsCompleted: true } task:
                    if (task.IsFaulted) error = ExceptionDispatchInfo.Capture(task.Exception!.InnerException ?? task.Exception);
                    else if (task.IsCanceled) error = ExceptionDispatchInfo.Capture(new TaskCanceledException(task));
                    break;
                case null: break;
                default:
                    error = ExceptionDispatchInfo.Capture(new InvalidOperationException(
                        $"{t.Name} awaited something that is not a Stackless operation (a Task, a delay, I/O); " +
                        "a tasklet body may only await channel operations, Schedule() and other tasklet bodies. " +
                        "To wait for a Task, await scheduler.BlockOn(task) (Scheduler.Default.BlockOn(task) in a notebook): the tasklet blocks and the others run meanwhile."));
                    break;
            }
        }
        Finish(t, error);
    }

    private void Finish(Tasklet t, ExceptionDispatchInfo? error)
    {
        Detach(t);
        Retire(t);
        var isExit = error?.SourceException is TaskletExit;
        _trace?.Add(new TraceEvent(_steps, error is null || isExit ? TraceReason.Exit : TraceReason.Exception, t,
            Value: isExit || error is null ? null : error.SourceException));
        if (error is null || isExit) return;
        if (ErrorHandler is { } handler) { handler(t, error.SourceException); return; }
        error.Throw();
    }

    /// <summary>Unlinks a tasklet from wherever it is queued (run queue or channel).</summary>
    private void Detach(Tasklet t)
    {
        if (t.Where == Where.RunQueue) Queue.Remove(t);
        else if (t.Where == Where.Channel) ((ChannelBase)t.WaitingOn!).RemoveWaiter(t);
        else if (t.Where == Where.Select) ((SelectWait)t.WaitingOn!).Withdraw(fired: null);
        else if (t.Where == Where.Io) AbandonIo(t);
        t.SuspendPending = false;
        if (t.Where != Where.Dead) t.Where = Where.Nowhere;
    }

    // ---- main's waiting -------------------------------------------------------------------------

    /// <summary>
    /// Main has placed itself in the run queue or a channel's wait queue: run the others until its turn.
    /// Raises Stackless's errors when main is blocked and nothing is left to run.
    /// </summary>
    internal void MainWait()
    {
        _mainMode = MainMode.Waiting;
        try
        {
            if (RunLoop(long.MaxValue) == LoopEnd.Empty)
            {
                var receiving = _main.Direction < 0;
                throw new DeadlockException(receiving
                    ? "the main tasklet is receiving without a sender available."
                    : "the main tasklet is sending without a receiver available.");
            }
        }
        finally
        {
            if (_main.Where is Where.Channel or Where.RunQueue or Where.Io) Detach(_main);
            _main.Where = Where.Running;
            _mainMode = MainMode.Running;
        }
    }

    // ---- switching primitives used by channels and tasklets ----------------------------------

    /// <summary>Marks the calling tasklet as switching away; it must await the returned operation.</summary>
    internal void BeginSuspend(Tasklet caller)
    {
        if (caller.SuspendPending)
            throw new InvalidOperationException(NotAwaited(caller));
        caller.SuspendPending = true;
    }

    /// <summary>
    /// Checks that a tasklet's operation comes from the step running it, on the loop's thread, without a
    /// thread-static read (a call to <c>__tls_get_addr</c> here, measured at 4-5% of a hand-off): an operation
    /// made by the step runs deeper on the same stack as the loop, so its stack address lies just below the one
    /// the loop recorded. Another thread's stack is another mapping: it could only fall in the 1 MiB window if
    /// the loop's own thread had less than that left below the loop, which the default stacks (8 MiB for a
    /// process's main thread, 1.5 MiB for pool threads) leave room for. A body deeper than the window (recursion
    /// through plain methods, or a deep <c>async Task</c> helper) fails the compare and gets the exact answer of
    /// <see cref="StepRunsOnThisThread"/>, off the hot path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CheckRunning(Tasklet caller)
    {
        if (!StepRunsHere() && !StepRunsOnThisThread()) ThrowNotRunning(caller);
    }

    /// <summary>
    /// True when a step of this scheduler runs and the caller is on its stack (see <see cref="CheckRunning"/>):
    /// one unsigned compare, since outside a step <see cref="_stepStack"/> is 0 and an address above the loop's
    /// wraps around; either way the difference is far larger than the window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [SkipLocalsInit]
    internal unsafe bool StepRunsHere()
    {
        nuint probe;
        return _stepStack - (nuint)(&probe) <= StackWindow;
    }

    private const nuint StackWindow = 1 << 20;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotRunning(Tasklet caller) => throw NotRunning(caller);

    /// <summary>The error of an operation made by a tasklet outside its step on the loop's thread.</summary>
    internal static InvalidOperationException NotRunning(Tasklet caller) => new(
        $"This scheduler is running {caller.Name} on another thread; one scheduler is driven by one caller at a time.");

    /// <summary>
    /// Appends <paramref name="t"/> to the run queue (a partner leaving a channel, a yielding caller, a new tasklet).
    /// Appending needs no flush of <see cref="_runNext"/>, which is the front.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void MakeRunnable(Tasklet t)
    {
        t.Where = Where.RunQueue;
        _runQueue.Append(t);
    }

    /// <summary>
    /// Stackless's switch to <paramref name="target"/> (<c>run</c>, <c>switch</c>, <c>throw</c>, <c>kill</c>): a target
    /// already in the run queue is not moved, the ring turns to it, so the tasklets before it come after the
    /// caller; a target outside the queue is inserted at the tail of the ring, just before the caller, so the
    /// caller runs right after it. When <paramref name="keepCaller"/> is false the caller is paused instead.
    /// </summary>
    internal void PlaceSwitch(Tasklet caller, Tasklet target, bool keepCaller)
    {
        if (target.Where == Where.RunQueue)
        {
            TaskletQueue skipped = default;
            while (Queue.First != target) skipped.Append(Queue.PopFront()!);
            Queue.PopFront();
            if (keepCaller) MakeRunnable(caller);
            else caller.Where = Where.Nowhere;
            while (skipped.PopFront() is { } s) Queue.Append(s);
        }
        else if (keepCaller) { caller.Where = Where.RunQueue; Queue.PushFront(caller); }
        else caller.Where = Where.Nowhere;
        target.Where = Where.RunQueue;
        Queue.PushFront(target);
    }

    /// <summary>
    /// A channel's preferred partner runs now: it is inserted right after the caller, which keeps its place in
    /// the ring and so comes last ("the sender is put at the end of the runnables list").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void PlacePreferenceSwitch(Tasklet caller, Tasklet partner)
    {
        MakeRunnable(caller);
        partner.Where = Where.RunQueue;
        if (_runNext is not null) _ = Queue; // never expected: the register is taken before the next switch
        _runNext = partner;
    }

    /// <summary>With schedule_all, the partner goes to the tail and the caller yields behind it.</summary>
    internal void PlaceYieldBehind(Tasklet caller, Tasklet partner)
    {
        MakeRunnable(partner);
        MakeRunnable(caller);
    }

    /// <summary>The caller would leave the ring (block, or schedule_remove): Stackless's deadlock rule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CheckCanLeaveRing(Tasklet caller, object? sentError = null)
    {
        // Inline only the usual answer (someone else is runnable), which every blocking operation asks.
        if (_runNext is null && _runQueue.First is null) CheckCanLeaveEmptyRing(caller, sentError);
    }

    /// <summary>
    /// Stackless's schedule_task_block: with nothing else runnable (and no wait on I/O to come back), the innermost
    /// run()'s caller is revived if it is out of the ring (main in Run(), or a tasklet in a nested Run()); else it
    /// is a deadlock, raised in the caller. Reviving a sender of an exception (send_exception, send_throw) copies
    /// that exception to the revived caller: its Run() raises it (<paramref name="sentError"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CheckCanLeaveEmptyRing(Tasklet caller, object? sentError)
    {
        if (_ioWaiting != 0) return;
        if (caller.IsMain || _runner.Where != Where.Nowhere)
            throw new DeadlockException("Deadlock: the last runnable tasklet cannot be blocked.");
        if (sentError is not null) _reviveError = sentError;
    }

    internal Operation SwitchTo(Tasklet target, bool keepCaller)
    {
        CheckNotReplaced(target);
        var caller = _current;
        if (target.Scheduler != this) throw new InvalidOperationException("the tasklet belongs to another scheduler");
        if (target.Blocked) throw new InvalidOperationException("You cannot run a blocked tasklet");
        if (!target.Alive && !target.IsMain) throw new InvalidOperationException("You cannot run an unbound(dead) tasklet");
        if (target == caller) return Operation.Completed;
        CheckSwitchTrap();
        return SwitchFrom(caller, target, keepCaller);
    }

    internal Operation ThrowInto(Tasklet target, Exception exception, bool pending, bool isKill)
    {
        CheckNotReplaced(target);
        var caller = _current;
        if (target.IsMain) throw new NotSupportedException("Exceptions cannot be thrown into the main tasklet.");
        if (!target.Alive)
        {
            if (exception is TaskletExit) return Operation.Completed; // killing what is not alive does nothing
            throw new InvalidOperationException("You cannot throw to a dead tasklet");
        }
        if (target == caller) throw exception; // the current tasklet raises at once; pending is ignored
        if (!pending) CheckSwitchTrap();
        _strategy?.OnTouched(null);
        _trace?.Add(new TraceEvent(_steps, isKill ? TraceReason.Kill : TraceReason.Throw, target, Partner: caller,
            Value: isKill ? null : exception));
        if (!pending) return SwitchFrom(caller, target, keepCaller: true, exception);
        CheckOwner();
        if (target.Blocked) Detach(target);
        target.SetPending(exception);
        if (target.Where != Where.RunQueue) MakeRunnable(target);
        return Operation.Completed;
    }

    /// <summary>
    /// The caller switches to <paramref name="target"/> (see <see cref="PlaceSwitch"/>), first taking it off its
    /// channel and arming <paramref name="exception"/> in it when one is thrown. Main waits for its turn, or with
    /// switch (<paramref name="keepCaller"/> false) is paused as in Run() until the ring empties or it is inserted;
    /// a tasklet gets an operation to await.
    /// </summary>
    private Operation SwitchFrom(Tasklet caller, Tasklet target, bool keepCaller, Exception? exception = null)
    {
        if (caller.IsMain) Enter(); else CheckRunning(caller);
        _strategy?.OnTouched(null);
        try
        {
            if (!caller.IsMain) BeginSuspend(caller);
            if (target.Blocked) Detach(target);
            if (exception is not null) target.SetPending(exception);
            PlaceSwitch(caller, target, keepCaller);
            if (!caller.IsMain) return Operation.Suspended(this);
            if (keepCaller) MainWait();
            else
            {
                RunFrom(caller, long.MaxValue, soft: false, totalTimeout: true);
                caller.DropTempVal();
            }
            return Operation.Completed;
        }
        finally
        {
            if (caller.IsMain) Exit();
        }
    }

    internal void Insert(Tasklet t)
    {
        CheckNotReplaced(t);
        CheckOwner();
        if (t.Where == Where.Dead || !t.Alive) throw new InvalidOperationException("You cannot run an unbound(dead) tasklet");
        if (t.Blocked) throw new InvalidOperationException("You cannot run a blocked tasklet");
        if (t.Where is Where.RunQueue or Where.Running) return;
        if (t.IsMain && _mainMode != MainMode.InRun) return; // current, or waiting in an operation: it is in the ring already
        _strategy?.OnTouched(null);
        MakeRunnable(t); // main (or a nested runner) out of the ring in Run(): its Run() returns when its turn comes
    }

    /// <summary>
    /// Stackless's <c>next</c> (<paramref name="direction"/> +1) and <c>prev</c> (-1) of <paramref name="t"/>: its
    /// neighbour in the ring (the current tasklet, then the run queue, cyclic), or in its channel's queue (not
    /// cyclic); null when it is in neither.
    /// </summary>
    internal Tasklet? RingNeighbour(Tasklet t, int direction)
    {
        List<Tasklet> queue;
        var cyclic = t.Where is Where.RunQueue or Where.Running;
        if (t.Where == Where.Channel) queue = (List<Tasklet>)((ChannelBase)t.WaitingOn!).Waiters;
        else if (cyclic)
        {
            queue = Queue.ToList();
            if (_current.Where == Where.Running) queue.Insert(0, _current);
        }
        else return null;
        var i = queue.IndexOf(t);
        if (i < 0) return null;
        var j = i + direction;
        if (cyclic) return queue[(j + queue.Count) % queue.Count];
        return j >= 0 && j < queue.Count ? queue[j] : null;
    }

    internal void RemoveFromRunQueue(Tasklet t)
    {
        CheckNotReplaced(t);
        CheckOwner();
        if (t.Blocked) throw new InvalidOperationException("You cannot remove a blocked tasklet.");
        if (t.Where == Where.Running || t.IsMain) throw new InvalidOperationException("The current tasklet cannot be removed.");
        if (t.Where != Where.RunQueue) return;
        _strategy?.OnTouched(null);
        Queue.Remove(t);
        t.Where = Where.Nowhere;
    }

    // ---- asynchronous waits (the talk's blockOn) -------------------------------------------------

    /// <summary>
    /// Blocks the calling tasklet until <paramref name="task"/> completes, then gives its result, or raises its
    /// exception (the talk's <c>blockOn(deferred)</c>). The other tasklets keep running meanwhile; when all of them
    /// wait on such tasks, the scheduler sleeps until one completes. From main, it runs the others until then.
    /// </summary>
    public Operation<T> BlockOn<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return WaitIo(new IoWait<T>(this, task, task));
    }

    /// <summary>Blocks the calling tasklet until <paramref name="task"/> completes (see <see cref="BlockOn{T}(Task{T})"/>).</summary>
    public Operation BlockOn(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var op = WaitIo(new IoWait<bool>(this, task, null));
        return op.AsOperation();
    }

    /// <summary>Blocks the calling tasklet until <paramref name="task"/> completes (see <see cref="BlockOn{T}(Task{T})"/>).</summary>
    public Operation<T> BlockOn<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? BlockOnCompleted(task.Result) : BlockOn(task.AsTask());

    private static Operation<T> BlockOnCompleted<T>(T value) => new(value);

    private Operation<T> WaitIo<T>(IoWait<T> wait)
    {
        var caller = _current;
        if (wait.Task.IsCompleted) return wait.ResultNow(); // nothing to wait for: no switch, as a ready deferred
        if (caller.IsMain)
        {
            Enter();
            try
            {
                CheckSwitchTrap();
                StartWaiting(caller, wait);
                MainWait();
                return new Operation<T>(caller.TakeValue<T>());
            }
            finally { Exit(); }
        }
        CheckRunning(caller);
        CheckSwitchTrap();
        BeginSuspend(caller);
        StartWaiting(caller, wait);
        return Operation<T>.Suspended(this);
    }

    private void StartWaiting(Tasklet caller, IoWait wait)
    {
        wait.Tasklet = caller;
        caller.Where = Where.Io;
        caller.WaitingOn = wait;
        _ioWaiting++;
        _trace?.Add(new TraceEvent(_steps, TraceReason.BlockIO, caller));
        if (_completions is null) { _completionSignal = new SemaphoreSlim(0); _completions = new(); }
        wait.Register();
    }

    /// <summary>Called on whatever thread completed the task: queue the wait for the loop and wake it.</summary>
    internal void Completed(IoWait wait)
    {
        _completions!.Enqueue(wait);
        Interlocked.Increment(ref _completionsPending);
        _completionSignal!.Release();
    }

    /// <summary>On the loop's thread: every completed wait's tasklet becomes runnable, in completion order.</summary>
    private void TakeCompletions()
    {
        while (_completions!.TryDequeue(out var wait))
        {
            Interlocked.Decrement(ref _completionsPending);
            var t = wait.Tasklet;
            if (t is null || t.Where != Where.Io || t.WaitingOn != wait) continue; // abandoned (killed meanwhile)
            _ioWaiting--;
            t.WaitingOn = null;
            wait.Deliver(t);
            _trace?.Add(new TraceEvent(_steps, TraceReason.UnblockIO, t));
            MakeRunnable(t);
        }
    }

    private void WaitForCompletion()
    {
        _trace?.Add(new TraceEvent(_steps, TraceReason.IdleWait, _current));
        _completionSignal!.Wait();
        TakeCompletions();
    }

    /// <summary>A tasklet waiting on I/O is killed or thrown into: its completion, when it comes, is ignored.</summary>
    private void AbandonIo(Tasklet t)
    {
        ((IoWait)t.WaitingOn!).Tasklet = null;
        t.WaitingOn = null;
        _ioWaiting--;
        t.Where = Where.Nowhere;
    }

    /// <summary>Tasklets waiting on asynchronous operations (main included).</summary>
    public int WaitingIOCount => _ioWaiting;

    // ---- one caller at a time -----------------------------------------------------------------

    /// <summary>Takes the scheduler for a main-tasklet operation that runs the loop.</summary>
    internal void Enter()
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            throw new InvalidOperationException(
                "This scheduler is already being driven by another caller (another thread, or a callback of its own); " +
                "one scheduler is driven by one caller at a time.");
    }

    internal void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>For mutations that do not run the loop: allowed from the running step or when nobody drives.</summary>
    internal void CheckOwner()
    {
        if (Volatile.Read(ref _busy) != 0 && !(t_driving == this && InStep))
            throw new InvalidOperationException("This scheduler is being driven by another thread; one scheduler is driven by one caller at a time.");
    }

    // ---- deadlock made visible ------------------------------------------------------------------

    /// <summary>
    /// What is blocked and on what. <see cref="DeadlockReport.IsDeadlock"/> is true when tasklets are blocked and
    /// none is runnable, as after <see cref="Run()"/> returned with tasklets left on channels.
    /// </summary>
    public DeadlockReport GetDeadlockReport()
    {
        var blocked = Tasklets.Where(t => t.BlockedOn is not null)
            .SelectMany(t => t.Where == Where.Select ? t.SelectingOn : [new BlockedTasklet(t, t.BlockedOn!, t.BlockedDirection)]).ToList();
        var runnable = Queue.Count + (_current.IsMain ? 0 : 1);
        return new DeadlockReport(blocked, runnable, _ioWaiting);
    }

    [Conditional("DEBUG")]
    internal void AssertInvariants()
    {
        // Walks at most the first 64 queued tasklets, so that debug builds stay usable on large runs.
        var n = 0;
        for (var t = Queue.First; t is not null && n < 64; t = t.Next)
        {
            Debug.Assert(t.Where == Where.RunQueue, "Every queued tasklet knows it is queued.");
            Debug.Assert(t.Alive, "Only alive tasklets are runnable.");
            Debug.Assert(t != _main || _mainMode != MainMode.Running, "Main is queued only while it waits in an operation, or inserted during Run().");
            n++;
        }
        Debug.Assert(n == 64 || n == Queue.Count, "The run queue's count matches its links.");
        Debug.Assert(_runner.IsRunner && (_runner == _main || _runner.Where is Where.Nowhere or Where.RunQueue),
            "The innermost loop's runner is main, or a tasklet out of the ring (or inserted back) while its Run() runs.");
    }
}
