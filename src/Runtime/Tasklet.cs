using System.Runtime.ExceptionServices;

namespace StacklessInteractive;

/// <summary>Where a tasklet is in its life, as the views show it.</summary>
public enum TaskletState
{
    /// <summary>Created, not yet given its arguments and inserted (Stackless: not alive).</summary>
    New,
    /// <summary>In the run queue, waiting for its turn (Stackless: scheduled).</summary>
    Runnable,
    /// <summary>Running now (Stackless: <c>getcurrent()</c>).</summary>
    Current,
    /// <summary>Waiting on a channel (Stackless: blocked).</summary>
    Blocked,
    /// <summary>Alive but neither runnable nor blocked: removed, or interrupted by the watchdog (Stackless: paused).</summary>
    Paused,
    /// <summary>Finished, killed or failed.</summary>
    Dead,
    /// <summary>Waiting for an asynchronous operation (<see cref="Scheduler.BlockOn(Task)"/>): I/O, a timer.</summary>
    WaitingIO,
}

/// <summary>Where a tasklet is linked; owned by <see cref="Scheduler"/> and <see cref="ChannelBase"/>.</summary>
internal enum Where : byte { Nowhere, RunQueue, Channel, Running, Dead, Io, Select }

/// <summary>
/// A micro-thread: a body that the scheduler runs in steps, switching at channel operations and
/// <see cref="Scheduler.Schedule"/>. Stackless's <c>tasklet</c>.
/// </summary>
/// <remarks>
/// <para>Invariants (asserted in debug builds by <see cref="AssertInvariants"/>):</para>
/// <list type="bullet">
/// <item>Where == RunQueue exactly when the tasklet is linked in its scheduler's run queue;
/// Where == Channel exactly when it is linked in the wait queue of <see cref="BlockedOn"/>.</item>
/// <item>Where == Select while blocked in a <see cref="Select"/>: the tasklet itself is in no queue; a stand-in per
/// channel case (same id, <see cref="IsSelectCase"/>) is linked in each channel's wait queue instead.</item>
/// <item>Where == Running for the scheduler's current tasklet only.</item>
/// <item>A tasklet switched away through a Stackless operation has a resume point (Resume) unless it
/// has not started yet; the main tasklet never has one (it is resumed by returning to it).</item>
/// <item>At most one value is in transit in a tasklet (ValueBits/ValueRef), flagged when it is an exception; an
/// exception thrown into it while it is switched away (pending) takes ValueRef's place, and so does a tempval set as
/// an object (a TempValBox, flagged as an exception is), claimed when the tasklet resumes.</item>
/// <item>The runner flag is on for main, and for a tasklet only while its own nested Run() is under way.</item>
/// <item>A dead tasklet is in no queue and holds no body and no channel.</item>
/// </list>
/// <para>Each tasklet costs one object of 96 bytes plus its body's boxed state machine (64 bytes for a
/// small body); a blocked tasklet holds no thread and no task.</para>
/// </remarks>
public sealed class Tasklet
{
    /// <summary>The tasklet whose step runs on this thread, or null (see <see cref="Scheduler.RunningTasklet"/>).</summary>
    internal static Tasklet? Running => Scheduler.RunningTasklet;

    internal readonly Scheduler Scheduler;
    internal Tasklet? Next;                 // run queue or channel wait queue (singly linked)
    internal object? WaitingOn;             // the ChannelBase while Where == Channel, the IoWait while Where == Io;
                                            // otherwise stale or null (a hand-off leaves the channel, so that blocking
                                            // on it again, what a loop over a channel does, writes no reference)
    internal BodyBox? Resume;               // where it resumes once switched away (an Action is wrapped in an ActionBox)
    internal object? Body;                  // TaskletStarter or Func<TaskletBody> before the first step; BodyBox or Task after
    internal long ValueBits;                // a value in transit of a small unmanaged type (int, double, ...)
    internal object? ValueRef;              // one of another type (boxed in a Slot<T> for other structs), or an error
    internal Where Where;
    internal sbyte Direction;               // +1 blocked sending, -1 blocked receiving
    private Flags _flags;
    internal bool IsSelectCase;             // a stand-in queued on a channel for one case of a blocked select (Body is its SelectWait);
                                            // fits in the padding after the flags: no tasklet grows
    private readonly int _id;                // the name, when set, lives in the scheduler (Scheduler.NameOf)
    internal uint StepCount;
    internal int RegistryIndex;             // where the scheduler's registry of alive tasklets holds it
    internal int TraceHandle;               // its number in the trace recorder that last recorded it (TraceRecorder)
    internal int Depth;                     // its TaskletBody frames started and not ended (Scheduler.MaxRecursionDepth)

    // Eight flags fill the byte, which fills the object's padding (a wider field would cost every tasklet 8 bytes).
    // Runner: its code is below a running loop on the stack: main always, a tasklet while it is in its own Run().
    // ValueIsError: ValueRef holds an exception sent in place of a value, or a TempValBox (a tempval set as an object).
    [Flags]
    private enum Flags : byte { None = 0, Runner = 1, Started = 2, Atomic = 4, BlockTrap = 8, SuspendPending = 16, Alive = 32, ValueIsError = 64, ErrorPending = 128 }

    // What a resumed tasklet must look at before it takes its value: an exception pending, one sent, or a tempval.
    private const Flags ResumeSpecial = Flags.ErrorPending | Flags.ValueIsError;

    /// <summary>Creates an unbound tasklet on <paramref name="scheduler"/> (the default scheduler when null).</summary>
    public Tasklet(Scheduler? scheduler = null)
    {
        Scheduler = scheduler ?? Scheduler.Default;
        _id = Scheduler.NextTaskletId();
    }

    /// <summary>Creates a tasklet bound to <paramref name="function"/>; call <see cref="Setup"/> to start it.</summary>
    public Tasklet(Delegate function, Scheduler? scheduler = null) : this(scheduler) => Bind(function ?? throw new ArgumentNullException(nameof(function)));

    /// <summary>The stand-in for one case of <paramref name="wait"/>'s select in a channel's wait queue: same id, no life of its own.</summary>
    internal Tasklet(SelectWait wait)
    {
        Scheduler = wait.Owner.Scheduler;
        _id = wait.Owner.Id;
        IsSelectCase = true;
        Body = wait;
    }

    /// <summary>The tasklet a queued entry stands for: itself, or the selecting tasklet of a select's stand-in.</summary>
    internal Tasklet Waiter => IsSelectCase ? ((SelectWait)Body!).Owner : this;

    internal Tasklet(Scheduler scheduler, bool isMain) : this(scheduler)
    {
        _flags = Flags.Runner | Flags.Started | Flags.Alive;
        Where = Where.Running;
    }

    // ---- identity -----------------------------------------------------------------------------

    /// <summary>A number unique in its scheduler, in creation order (main is 0), so views are the same on every run.</summary>
    public int Id => _id;

    /// <summary>A name for views and messages; defaults to <c>tasklet#Id</c> (<c>main</c> for the main tasklet), and setting null goes back to that.</summary>
    public string Name
    {
        get => Scheduler.NameOf(this) ?? (IsMain ? "main" : "tasklet#" + _id);
        set => Scheduler.SetName(this, value);
    }

    /// <summary>The scheduler this tasklet runs on.</summary>
    public Scheduler Owner => Scheduler;

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>
    /// The channels this tasklet's body can reach (its arguments, captured variables and suspended locals, and
    /// the channel it is blocked on), by id: what a view needs to say which tasklets could serve a channel.
    /// Best effort, found by reflection over compiler-made objects only; meant for views, not for hot paths.
    /// </summary>
    public IReadOnlyList<ChannelBase> ReachableChannels() => StacklessInteractive.ReachableChannels.Of(this);

    // ---- state (Stackless's attributes) ------------------------------------------------------

    /// <summary>True from <see cref="Setup"/> until the body ends or the tasklet is killed.</summary>
    public bool Alive => (_flags & Flags.Alive) != 0;

    /// <summary>True while waiting on a channel, or on an asynchronous operation (<see cref="Scheduler.BlockOn(Task)"/>).</summary>
    public bool Blocked => Where is Where.Channel or Where.Io or Where.Select;

    /// <summary>True when runnable, current or blocked (Stackless counts a blocked tasklet as scheduled).</summary>
    public bool Scheduled => Where is Where.RunQueue or Where.Channel or Where.Running or Where.Io or Where.Select
        || (IsMain && Scheduler.MainIsScheduled);

    /// <summary>True when alive but neither scheduled nor blocked.</summary>
    public bool Paused => Alive && !Scheduled;

    /// <summary>True for the scheduler's current tasklet.</summary>
    public bool IsCurrent => Scheduler.Current == this;

    /// <summary>True for the main tasklet: the code that drives the scheduler.</summary>
    public bool IsMain => ReferenceEquals(Scheduler.Main, this); // no flag of its own: main is the runner that never stops being one

    /// <summary>True once the body has taken its first step.</summary>
    public bool Started => (_flags & Flags.Started) != 0;

    /// <summary>The channel this tasklet is blocked on, or null.</summary>
    /// <remarks>A tasklet blocked in a <see cref="Select"/> waits on every channel of its cases; this is the first (<see cref="SelectingOn"/> lists them all).</remarks>
    public ChannelBase? BlockedOn => Where switch
    {
        Where.Channel => (ChannelBase?)WaitingOn,
        Where.Select => ((SelectWait)WaitingOn!).Waits[0].Channel,
        _ => null,
    };

    /// <summary>Every channel and direction a tasklet blocked in a <see cref="Select"/> waits on (empty otherwise).</summary>
    public IReadOnlyList<BlockedTasklet> SelectingOn => Where == Where.Select ? ((SelectWait)WaitingOn!).Waits : [];

    /// <summary>+1 when blocked sending, -1 when blocked receiving, 0 otherwise.</summary>
    public int BlockedDirection => Where switch
    {
        Where.Channel => Direction,
        Where.Select => ((SelectWait)WaitingOn!).Waits[0].Direction,
        _ => 0,
    };

    /// <summary>How many steps (resumptions) this tasklet has run.</summary>
    public long Steps => StepCount;

    /// <summary>The next tasklet in the queue this tasklet is in (run queue or channel), or null.</summary>
    public Tasklet? NextInQueue => Next;

    /// <summary>
    /// Stackless's <c>next</c>: for a runnable or current tasklet, the one after it in the ring (the current tasklet
    /// followed by the run queue, cyclic, so a tasklet alone is its own next); for a blocked one, the one after it in
    /// its channel's queue, or null at the end; null for a paused or dead one. Walks the queue: for views and tests.
    /// </summary>
    public Tasklet? NextInRing => Scheduler.RingNeighbour(this, +1);

    /// <summary>Stackless's <c>prev</c>: the one before it, as <see cref="NextInRing"/> reads the ring and the channel queue.</summary>
    public Tasklet? PrevInRing => Scheduler.RingNeighbour(this, -1);

    /// <summary>The state as one value, for views.</summary>
    public TaskletState State => Where switch
    {
        Where.Running => TaskletState.Current,
        Where.RunQueue => TaskletState.Runnable,
        Where.Channel or Where.Select => TaskletState.Blocked,
        Where.Dead => TaskletState.Dead,
        Where.Io => TaskletState.WaitingIO,
        _ => IsMain ? (Scheduler.Current == this ? TaskletState.Current : TaskletState.Paused)
            : Alive ? TaskletState.Paused : TaskletState.New,
    };

    /// <summary>
    /// While true, the watchdog of <see cref="Scheduler.Run(long)"/> does not interrupt this tasklet
    /// (Stackless's <c>atomic</c>).
    /// </summary>
    public bool Atomic { get => (_flags & Flags.Atomic) != 0; set => SetFlag(Flags.Atomic, value); }

    /// <summary>
    /// When true, a channel operation that would block this tasklet raises instead
    /// (Stackless's <c>block_trap</c>).
    /// </summary>
    public bool BlockTrap { get => (_flags & Flags.BlockTrap) != 0; set => SetFlag(Flags.BlockTrap, value); }

    /// <summary>Sets <see cref="Atomic"/> and returns the old value (Stackless's <c>set_atomic</c>).</summary>
    public bool SetAtomic(bool value) { var old = Atomic; Atomic = value; return old; }

    private void SetFlag(Flags flag, bool on) => _flags = on ? _flags | flag : _flags & ~flag;

    internal bool SuspendPending
    {
        get => (_flags & Flags.SuspendPending) != 0;
        set => SetFlag(Flags.SuspendPending, value);
    }

    /// <summary>True while its code is below a running loop: main always, a tasklet while it calls <see cref="Scheduler.Run()"/>.</summary>
    internal bool IsRunner => (_flags & Flags.Runner) != 0;

    internal void SetRunner(bool on) => SetFlag(Flags.Runner, on);

    internal void MarkStarted() => _flags |= Flags.Started;
    internal void MarkAlive() => _flags = (_flags | Flags.Alive) & ~Flags.Started;
    internal void MarkDead() { _flags &= ~(Flags.Alive | Flags.SuspendPending); Where = Where.Dead; }

    // ---- binding -------------------------------------------------------------------------------

    /// <summary>
    /// Binds the body (Stackless's <c>bind</c>). <paramref name="function"/> returns a
    /// <see cref="TaskletBody"/>, a <see cref="Task"/>, a <see cref="ValueTask"/> or nothing. Without
    /// <paramref name="args"/> the tasklet is not alive until <see cref="Setup"/>; with them it is alive and
    /// paused, and <see cref="Insert"/> or <see cref="Run"/> starts it. Binding a paused tasklet discards
    /// its body, as Stackless drops its frames (its <c>finally</c> blocks do not run). <c>Bind(null)</c> unbinds
    /// (Stackless's <c>bind(None)</c>): a paused tasklet loses its body and is no longer alive; one never bound is
    /// left as it is. <c>Bind(null, args)</c> binds the function already bound with new arguments.
    /// </summary>
    /// <exception cref="InvalidOperationException">"can't (re)bind the current tasklet"; "tasklet is scheduled" when it
    /// is runnable or blocked; "tasklet has C state on its stack" while it waits in a nested <see cref="Scheduler.Run()"/>;
    /// "can't unbind the main tasklet".</exception>
    public Tasklet Bind(Delegate? function, object?[]? args = null)
    {
        Scheduler.CheckNotReplaced(this);
        Scheduler.CheckOwner();
        if (Where == Where.Running || (IsMain && Scheduler.Current == this)) throw new InvalidOperationException("can't (re)bind the current tasklet");
        if (Where is Where.RunQueue or Where.Channel or Where.Io or Where.Select) throw new InvalidOperationException("tasklet is scheduled");
        if (IsRunner && !IsMain) throw new InvalidOperationException("tasklet has C state on its stack"); // it waits in a nested Run()
        if (function is null)
        {
            if (IsMain) throw new InvalidOperationException(args is null ? "can't unbind the main tasklet" : "can't (re)bind the current tasklet");
            if (args is null) { if (Alive || Body is not null) Scheduler.Unbind(this); return this; } // Stackless's unbind
            function = (Body as DynamicStarter)?.Function ?? throw new InvalidOperationException("the tasklet was not bound to a function");
        }
        else if (IsMain) throw new InvalidOperationException("can't (re)bind the current tasklet");
        var starter = new DynamicStarter(function, args);
        if (args is not null) starter.CheckArity(this);
        Scheduler.Unbind(this);
        Body = starter;
        if (args is not null) Scheduler.Register(this); // alive and paused
        return this;
    }

    /// <summary>
    /// Gives the bound function its arguments and appends the tasklet to the run queue
    /// (Stackless's <c>setup</c>, what <c>tasklet(f)(args)</c> does). It does not run yet.
    /// </summary>
    /// <exception cref="InvalidOperationException">"tasklet is alive", or "the tasklet was not bound to a function".</exception>
    /// <exception cref="ArgumentException">The number of arguments does not fit the function.</exception>
    public Tasklet Setup(params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Scheduler.CheckNotReplaced(this);
        Scheduler.CheckOwner();
        if (Alive) throw new InvalidOperationException("tasklet is alive");
        if (Body is not DynamicStarter starter) throw new InvalidOperationException("the tasklet was not bound to a function");
        starter.Args = args;
        starter.CheckArity(this);
        Scheduler.Spawn(this);
        return this;
    }

    // ---- lifecycle (Stackless's methods) ---------------------------------------------------

    /// <summary>
    /// Appends a paused tasklet to the end of the run queue (Stackless's <c>insert</c>); one already in the ring stays
    /// where it is. On main (or a tasklet in its own nested <see cref="Scheduler.Run()"/>) while it is out of the ring
    /// in <c>Run()</c>, <c>Switch()</c> or <c>ScheduleRemove()</c>, it puts it back: that call returns when its turn
    /// comes. Otherwise main is in the ring already (current, or waiting in an operation) and nothing happens.
    /// </summary>
    public Tasklet Insert() { Scheduler.Insert(this); return this; }

    /// <summary>Takes a runnable tasklet out of the run queue: it becomes paused (Stackless's <c>remove</c>).</summary>
    public Tasklet Remove() { Scheduler.RemoveFromRunQueue(this); return this; }

    /// <summary>
    /// Runs this tasklet now; the queue then continues after it, and the caller stays runnable
    /// (Stackless's <c>run</c>). A tasklet must await the result.
    /// </summary>
    public Operation Run() => Scheduler.SwitchTo(this, keepCaller: true);

    /// <summary>Like <see cref="Run"/>, but the caller is paused (Stackless's <c>switch</c>).</summary>
    public Operation Switch() => Scheduler.SwitchTo(this, keepCaller: false);

    /// <summary>
    /// Raises <see cref="TaskletExit"/> inside this tasklet so that its <c>finally</c> blocks run
    /// (Stackless's <c>kill</c>). With <paramref name="pending"/> it is only made runnable, and dies when its
    /// turn comes. A tasklet that has not started simply dies.
    /// </summary>
    public Operation Kill(bool pending = false) => Scheduler.ThrowInto(this, new TaskletExit(), pending, isKill: true);

    /// <summary>
    /// Raises <paramref name="exception"/> inside this tasklet at the point where it waits
    /// (Stackless's <c>throw</c>); with <paramref name="pending"/> it is only made runnable.
    /// </summary>
    public Operation Throw(Exception exception, bool pending = false)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Scheduler.ThrowInto(this, exception, pending, isKill: false);
    }

    /// <summary>Raises <paramref name="exception"/> inside this tasklet now (Stackless's <c>raise_exception</c>).</summary>
    public Operation RaiseException(Exception exception) => Throw(exception, pending: false);

    // ---- plumbing for operations ---------------------------------------------------------------

    /// <summary>
    /// Records where the tasklet resumes. The resume point stays set while the tasklet runs: a body usually
    /// suspends again in the same box, and then nothing is written but the flag.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetResume(Action continuation) => SetResume(new ActionBox(continuation));

    /// <inheritdoc cref="SetResume(Action)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetResume(BodyBox continuation)
    {
        if (!ReferenceEquals(Resume, continuation)) Resume = continuation;
        SuspendPending = false;
    }

    /// <summary>
    /// Called by an awaiter without a result when the tasklet resumes: raises what was thrown into it meanwhile, and
    /// drops a tempval set while it was switched away (Stackless claims the tempval at every switch-in).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void OnResumed()
    {
        if ((_flags & ResumeSpecial) != 0) OnResumedSpecial();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OnResumedSpecial()
    {
        if (HasPending) Raise(TakePending());
        DropTempVal();
    }

    /// <summary>
    /// Called by an awaiter with a result when the tasklet resumes: raises what was thrown into it meanwhile, else
    /// takes the value left for it (or raises the exception sent in its place). One flag test for all the rare cases.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal T TakeResumedValue<T>()
    {
        if ((_flags & ResumeSpecial) != 0) return TakeResumedSpecial<T>();
        return TakeRawValue<T>();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private T TakeResumedSpecial<T>()
    {
        if (HasPending) Raise(TakePending());
        return TakeSpecialValue<T>();
    }

    // ---- an exception pending --------------------------------------------------------------------
    // What kill, throw or a failed BlockOn leave in a tasklet that is switched away: an Exception (raised fresh) or
    // an ExceptionDispatchInfo (rethrown), raised when it resumes, whatever it awaited. It is kept in ValueRef, in
    // place of a value in transit: the two are never needed together, because the exception is raised first and the
    // value would never be taken (and a blocked sender's value is dropped before anything is thrown into it).

    internal bool HasPending => (_flags & Flags.ErrorPending) != 0;

    internal void SetPending(object error)
    {
        Debug.Assert(error is Exception or ExceptionDispatchInfo, "A pending error is an exception.");
        ValueRef = error;
        _flags = (_flags & ~Flags.ValueIsError) | Flags.ErrorPending;
    }

    internal object TakePending() => TakeErrorFlagged(Flags.ErrorPending);

    /// <summary>Drops whatever the tasklet carries, value or exception (it dies, or is bound again).</summary>
    internal void ClearTransit()
    {
        ValueRef = null;
        _flags &= ~(Flags.ErrorPending | Flags.ValueIsError);
    }

    // ---- tempval (Stackless's tempval) ---------------------------------------------------------------
    // A tempval set as an object (the setter, Schedule(value)) lives in ValueRef as a TempValBox, flagged ValueIsError
    // (so that the one flag test a resumed receive already makes also catches it), in place of a typed value in
    // transit: the awaiter that resumes the tasklet converts it to its result type. Values a channel hands over stay typed (ValueBits/ValueRef), so the hand-off pays nothing.

    /// <summary>
    /// The value in transit (Stackless's <c>tempval</c>): what <see cref="Scheduler.Schedule{T}(T)"/> or
    /// <see cref="Scheduler.ScheduleRemove{T}(T)"/> gives back when the tasklet runs again, the value a blocked sender
    /// carries, the exception thrown or sent into it, and inside a channel callback the value being sent. Setting it on
    /// a switched-away tasklet changes what its <c>Schedule(value)</c> or <c>ScheduleRemove(value)</c> returns (or its
    /// receive, when set between the hand-off and its turn); an operation without a result drops it. Null for a
    /// tasklet that is not alive, and once the tasklet has resumed (Stackless claims it at every switch-in).
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a tasklet that is not alive, on a blocked one (its channel or wait
    /// gives it its value), on the running tasklet (its next switch sets it), or on main while it waits in an operation.</exception>
    public object? TempVal
    {
        get
        {
            if (!Alive) return null;
            if ((_flags & ResumeSpecial) != 0) return ValueRef is TempValBox box ? box.Value : ErrorOf(ValueRef!);
            if (Where == Where.Channel && Direction > 0) return ((ChannelBase)WaitingOn!).SentValueOf(this);
            return Scheduler.CallbackTempVal(this);
        }
        set
        {
            Scheduler.CheckOwner();
            if (!Alive) throw new InvalidOperationException($"{Name} is not alive: it has no tempval.");
            if (Blocked) throw new InvalidOperationException($"{Name} is blocked: its channel or wait gives it its value.");
            if (Where == Where.Running) throw new InvalidOperationException($"{Name} is the current tasklet: its next switch sets its tempval.");
            if (IsMain && Where != Where.Nowhere) throw new InvalidOperationException("main waits in an operation: its tempval can be set while it is out of the ring (in Run, Switch or ScheduleRemove).");
            SetTempVal(value);
        }
    }

    internal bool HasTempVal => (_flags & Flags.ValueIsError) != 0 && ValueRef is TempValBox;

    internal void SetTempVal(object? value)
    {
        ClearTransit();
        ValueRef = new TempValBox(value); // an allocation, on the rare paths that set one (Schedule(value), the setter)
        _flags |= Flags.ValueIsError;
    }

    internal void DropTempVal()
    {
        if (!HasTempVal) return;
        ValueRef = null;
        _flags &= ~Flags.ValueIsError;
    }

    private static Exception ErrorOf(object error) => error is ExceptionDispatchInfo edi ? edi.SourceException : (Exception)error;

    // ---- a value in transit -------------------------------------------------------------------------
    // A channel leaves the value it hands over (or the exception sent instead) in the tasklet that will take it:
    // the receiver, or a blocked sender until a receiver comes. A tasklet carries at most one at a time. Small
    // unmanaged values (the sieve's ints) live in ValueBits, references in ValueRef, so a hand-off touches no
    // other object; other structs go through a Slot<T> kept in ValueRef.

    // A JIT-time constant for each T, but only once inlined: the sieve's state machine is big enough that the JIT
    // stopped inlining before reaching it, and called it on every hand-off.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsInline<T>() => !RuntimeHelpers.IsReferenceOrContainsReferences<T>() && Unsafe.SizeOf<T>() <= sizeof(long);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void PutValue<T>(T value)
    {
        Debug.Assert((_flags & ResumeSpecial) == 0, "One value in transit at a time.");
        if (IsInline<T>()) Unsafe.As<long, T>(ref ValueBits) = value;
        else if (!typeof(T).IsValueType) ValueRef = value;
        else (ValueRef as Slot<T> ?? (Slot<T>)(ValueRef = new Slot<T>())).Value = value;
    }

    /// <summary>An exception in place of a value: Exception (raised fresh) or ExceptionDispatchInfo (rethrown).</summary>
    internal void PutError(object error)
    {
        ValueRef = error;
        _flags |= Flags.ValueIsError;
    }

    internal bool HasError => (_flags & Flags.ValueIsError) != 0;

    /// <summary>Takes the value in transit out, whatever it is; an error is taken with <see cref="TakeError"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal T TakeRawValue<T>()
    {
        if (IsInline<T>()) return Unsafe.As<long, T>(ref ValueBits);
        if (!typeof(T).IsValueType)
        {
            var reference = Unsafe.As<object?, T>(ref ValueRef); // put there by PutValue<T> of the same channel type
            ValueRef = null;
            return reference;
        }
        if (ValueRef is not Slot<T> slot) return default!;
        var value = slot.Value;
        slot.Value = default!;
        return value;
    }

    internal object TakeError() => TakeErrorFlagged(Flags.ValueIsError);

    /// <summary>Takes over what <paramref name="standIn"/> carries (a select's send case: its value, or the exception to send).</summary>
    internal void TakeTransitFrom(Tasklet standIn)
    {
        ValueBits = standIn.ValueBits;
        ValueRef = standIn.ValueRef;
        if (standIn.HasError) _flags |= Flags.ValueIsError;
        standIn.ClearTransit();
    }

    /// <summary>Takes the exception kept in ValueRef, sent (ValueIsError) or pending (ErrorPending), and clears its flag.</summary>
    private object TakeErrorFlagged(Flags flag)
    {
        Debug.Assert((_flags & flag) != 0, "Take only the exception that is there.");
        var error = ValueRef!;
        ValueRef = null;
        _flags &= ~flag;
        return error;
    }

    /// <summary>The value a channel (or a completed wait) left for this tasklet, or the exception sent in its place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal T TakeValue<T>()
    {
        if (HasError) return TakeSpecialValue<T>();
        return TakeRawValue<T>();
    }

    /// <summary>Raises the exception sent in place of a value, or takes a tempval set as an object, converted to <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private T TakeSpecialValue<T>()
    {
        if (ValueRef is not TempValBox box) { Raise(TakeError()); return default!; }
        var value = box.Value;
        DropTempVal();
        return value switch
        {
            T typed => typed,
            null => default!,
            _ => throw new InvalidCastException($"{Name}'s tempval is a {value.GetType().Name}, not the {typeof(T).Name} its operation returns."),
        };
    }

    /// <summary>The value a blocked sender carries, left in place (for <see cref="TempVal"/>).</summary>
    internal T PeekRawValue<T>()
    {
        if (IsInline<T>()) return Unsafe.As<long, T>(ref ValueBits);
        if (!typeof(T).IsValueType) return Unsafe.As<object?, T>(ref ValueRef);
        return ValueRef is Slot<T> slot ? slot.Value : default!;
    }

    internal static void Raise(object error)
    {
        if (error is ExceptionDispatchInfo edi) edi.Throw();
        throw (Exception)error;
    }

    [Conditional("DEBUG")]
    internal void AssertInvariants()
    {
        Debug.Assert(Where != Where.Channel || WaitingOn is not null, "A blocked tasklet knows its channel.");
        Debug.Assert(Where != Where.Select || (WaitingOn is SelectWait && Next is null), "A selecting tasklet knows its select and is in no queue itself.");
        Debug.Assert(Where == Where.Channel || Where == Where.RunQueue || Next is null,
            "Only a queued tasklet is linked.");
        Debug.Assert(Where != Where.Dead || (Resume is null && !Alive), "A dead tasklet holds no resume point.");
        Debug.Assert(Where != Where.Dead || WaitingOn is null, "A dead tasklet keeps no channel alive.");
        Debug.Assert(!IsMain || Resume is null, "Main is resumed by returning to it.");
        Debug.Assert(!HasTempVal || !HasPending, "A tempval set as an object and an exception pending share ValueRef: one at a time.");
        Debug.Assert(!IsMain || IsRunner, "Main is always a runner.");
    }
}

/// <summary>A tempval set as an object (<see cref="Tasklet.TempVal"/>), kept in ValueRef flagged as an exception is.</summary>
internal sealed class TempValBox(object? value)
{
    public readonly object? Value = value;
}

/// <summary>A value in transit of a struct type that does not fit <see cref="Tasklet.ValueBits"/>.</summary>
internal sealed class Slot<T>
{
    public T Value = default!;
}
