using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace StacklessInteractive;

/// <summary>
/// The return type of a tasklet's body: write <c>async TaskletBody Counter(Channel&lt;int&gt; c) { ... }</c>.
/// </summary>
/// <remarks>
/// <para>A tasklet body is an ordinary C# <c>async</c> method whose awaits are Stackless operations
/// (<see cref="Channel{T}.Send"/>, <see cref="Channel{T}.Receive"/>, <see cref="Scheduler.Schedule"/>).
/// The compiler turns it into a state machine; the scheduler resumes that state machine directly, so a
/// switch between tasklets is a method call: no thread, no <see cref="Task"/>, no delegate.</para>
/// <para>The state machine is boxed once, on the body's first suspension, and never again. A body
/// that finishes without ever suspending allocates nothing.</para>
/// <para>Bodies may also be <c>async Task</c> or plain methods (see <see cref="Tasklet.Bind(Delegate, object?[])"/>);
/// <see cref="TaskletBody"/> is the fast and small one. A <see cref="TaskletBody"/> can be awaited from
/// another body, so helpers can be written as <c>async TaskletBody</c> methods too.</para>
/// </remarks>
[AsyncMethodBuilder(typeof(TaskletBodyBuilder))]
public readonly struct TaskletBody
{
    // Exactly one of these is set when the body suspended (_box) or failed synchronously (_exception);
    // neither when it ran to completion without suspending.
    private readonly BodyBox? _box;
    private readonly ExceptionDispatchInfo? _exception;

    internal TaskletBody(BodyBox box) { _box = box; _exception = null; }
    internal TaskletBody(ExceptionDispatchInfo exception) { _box = null; _exception = exception; }

    /// <summary>True once the body has returned or thrown.</summary>
    public bool IsCompleted => _box is null || _box.IsCompleted;

    /// <summary>The exception the body ended with, or null.</summary>
    internal ExceptionDispatchInfo? Exception => _box is null ? _exception : _box.Exception;

    internal BodyBox? Box => _box;

    /// <summary>Lets one body await another (a helper written as <c>async TaskletBody</c>).</summary>
    public Awaiter GetAwaiter() => new(this);

    /// <summary>Awaiter of a nested <see cref="TaskletBody"/>.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion
    {
        private readonly TaskletBody _body;
        internal Awaiter(TaskletBody body) => _body = body;
        /// <summary>True when the awaited body has finished.</summary>
        public bool IsCompleted => _body.IsCompleted;
        internal BodyBox? Box => _body._box;
        /// <summary>Rethrows the awaited body's exception, if any.</summary>
        public void GetResult()
        {
            if (_body.Exception is { } error) Rethrow(error);
        }

        /// <summary>
        /// Rethrows with the stack trace so far, as <c>await</c> does, except deep in a recursion: there each level
        /// would copy the trace of all the levels below and add its own, quadratic in the depth (minutes for a
        /// tasklet killed a million levels down), so the exception goes on with its trace started again, and reaches
        /// the top with the trace of the top <see cref="FullTraceDepth"/> levels.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Rethrow(ExceptionDispatchInfo error)
        {
            if (Scheduler.SteppingHere?.Current.Depth > FullTraceDepth) throw error.SourceException;
            error.Throw();
        }

        private const int FullTraceDepth = 1_000;
        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);
        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation)
        {
            if (_body._box is { } box) box.SetContinuation(continuation);
            else continuation();
        }
    }
}

/// <summary>
/// Something the scheduler can resume: the boxed state machine of a suspended body.
/// </summary>
internal abstract class BodyBox
{
    // Invariant: _link holds, while the body runs, whoever awaits it (another BodyBox, or an Action) or null for a
    // tasklet's top-level body, whose completion the scheduler sees after the step returns; once the body has
    // ended, what it ended with: s_ranToCompletion or its ExceptionDispatchInfo. One field for both, since nobody
    // awaits a body that has ended, and a blocked tasklet is mostly this box, so bytes count.
    private static readonly object s_ranToCompletion = new();
    private object? _link;

    public bool IsCompleted => _link is { } link && (ReferenceEquals(link, s_ranToCompletion) || link is ExceptionDispatchInfo);
    public ExceptionDispatchInfo? Exception => _link as ExceptionDispatchInfo;

    /// <summary>Resumes the state machine where it last awaited.</summary>
    public abstract void MoveNext();

    public void SetContinuation(object continuation)
    {
        if (IsCompleted) { Invoke(continuation); return; }
        Debug.Assert(_link is null, "A body is awaited by at most one awaiter.");
        _link = continuation;
    }

    public void SetResult() => Complete(s_ranToCompletion);

    public void SetException(Exception exception) => Complete(ExceptionDispatchInfo.Capture(exception));

    private void Complete(object result)
    {
        Debug.Assert(!IsCompleted, "A body completes once.");
        var continuation = _link;
        _link = result;
        var scheduler = Scheduler.SteppingHere;
        if (scheduler is null) { if (continuation is not null) Invoke(continuation); return; }
        scheduler.BodyEnded();
        if (continuation is null) return;
        // The awaiting body continues in the same step, like a return; a return a million levels up would unwind
        // through a million frames, so past the bounce depth it continues from the top of the step instead.
        if (scheduler.StackIsDeep()) scheduler.Bounce(continuation as BodyBox ?? new ActionBox((Action)continuation));
        else Invoke(continuation);
    }

    private static void Invoke(object continuation)
    {
        if (continuation is BodyBox box) box.MoveNext();
        else ((Action)continuation)();
    }
}

/// <summary>
/// A resume point that is a delegate: the continuation an <c>async Task</c> helper inside a body gives our
/// awaiters. Wrapping it keeps every resume point a <see cref="BodyBox"/>, so the scheduler's step needs no type test.
/// </summary>
internal sealed class ActionBox(Action action) : BodyBox
{
    public override void MoveNext() => action();
}

internal sealed class BodyBox<TStateMachine> : BodyBox where TStateMachine : IAsyncStateMachine
{
    public TStateMachine StateMachine = default!;

    /// <summary>
    /// Only for foreign awaiters (a <see cref="Task"/> inside a body); ours never need it, so it is made on each
    /// use rather than kept in a field. It resumes the body only within a step of the tasklet that awaited (an
    /// <c>async Task</c> helper completing there): a foreign completion arriving later, after the scheduler
    /// declared that tasklet dead, is dropped.
    /// </summary>
    public Action ForeignContinuation()
    {
        var owner = Tasklet.Running;
        return () =>
        {
            if (owner is null || Tasklet.Running == owner) MoveNext();
        };
    }

    public override void MoveNext() => StateMachine.MoveNext();
}

/// <summary>
/// The async method builder behind <see cref="TaskletBody"/>. Public only because the compiler needs it.
/// </summary>
public struct TaskletBodyBuilder
{
    // The box once the body suspended, or the ExceptionDispatchInfo of a body that failed before ever
    // suspending; one field, since every suspended body carries a copy of its builder.
    private object? _boxOrError;

    /// <summary>Compiler entry point.</summary>
    public static TaskletBodyBuilder Create() => default;

    /// <summary>
    /// Runs the body up to its first suspension, on the caller's stack: the scheduler calls a tasklet's body only
    /// when the tasklet takes its first step. In a step, the body counts towards the tasklet's recursion depth
    /// (<see cref="Scheduler.MaxRecursionDepth"/>), and a body called deep in the thread's stack is not run here:
    /// it moves to the heap unstarted and the scheduler starts it from the top of the step, once its caller has
    /// awaited it and the stack has unwound (<see cref="Scheduler.Bounce"/>). Not a scheduling point: the same
    /// step goes on.
    /// </summary>
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        if (Scheduler.SteppingHere is not { } scheduler)
        {
            stateMachine.MoveNext(); // outside any step (a body main calls): nothing to count, nothing to bounce
            return;
        }
        var tasklet = scheduler.BodyStarting();
        if (scheduler.StackIsDeep())
        {
            scheduler.Bounce(CreateBox(ref stateMachine));
            return;
        }
        stateMachine.MoveNext();
        if (_boxOrError is not BodyBox) Scheduler.BodyEnded(tasklet); // ended (or failed) without suspending
    }

    /// <summary>Compiler entry point (unused: the box holds the state machine itself).</summary>
    public void SetStateMachine(IAsyncStateMachine stateMachine) { }

    /// <summary>Compiler entry point.</summary>
    public void SetResult() => (_boxOrError as BodyBox)?.SetResult();

    /// <summary>Compiler entry point.</summary>
    public void SetException(Exception exception)
    {
        if (_boxOrError is BodyBox box) box.SetException(exception);
        else _boxOrError = ExceptionDispatchInfo.Capture(exception);
    }

    /// <summary>Compiler entry point.</summary>
    public TaskletBody Task => _boxOrError switch
    {
        BodyBox box => new TaskletBody(box),
        ExceptionDispatchInfo error => new TaskletBody(error),
        _ => default,
    };

    /// <summary>Compiler entry point.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine
    {
        var box = GetBox(ref stateMachine);
        awaiter.OnCompleted(box.ForeignContinuation());
    }

    /// <summary>Compiler entry point: registers the suspended body with the tasklet that runs it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // small once the type tests fold; called at every suspension
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine
    {
        var box = GetBox(ref stateMachine);
        if (default(TAwaiter) is IStacklessAwaiter)
        {
            // A Stackless operation: the suspended tasklet resumes this box directly, no delegate. For a struct
            // awaiter the JIT knows the exact type here, so this interface call is devirtualised and not boxed.
            ((IStacklessAwaiter)awaiter).Suspended!.SetResume(box);
        }
        else if (default(TAwaiter) is TaskletBody.Awaiter)
        {
            var inner = ((TaskletBody.Awaiter)(object)awaiter).Box;
            if (inner is null) box.MoveNext(); else inner.SetContinuation(box);
        }
        else
        {
            awaiter.UnsafeOnCompleted(box.ForeignContinuation());
        }
    }

    /// <summary>
    /// The body's box, made at its first suspension. A body that awaits has not failed, so the field then holds
    /// null or this box, never an error, and needs no type test.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private BodyBox<TStateMachine> GetBox<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        Debug.Assert(_boxOrError is null or BodyBox<TStateMachine>, "A body that awaits has no error.");
        return _boxOrError is { } box ? Unsafe.As<BodyBox<TStateMachine>>(box) : CreateBox(ref stateMachine);
    }

    /// <summary>The body's first suspension: the state machine moves to the heap, once.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private BodyBox<TStateMachine> CreateBox<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        var box = new BodyBox<TStateMachine>();
        _boxOrError = box;               // first, so that the copy below knows its box
        box.StateMachine = stateMachine; // the one copy of the state machine to the heap
        return box;
    }
}

/// <summary>Marks the awaiters of Stackless operations, which the scheduler resumes itself.</summary>
internal interface IStacklessAwaiter
{
    /// <summary>The tasklet the operation switched away (null when it completed at once).</summary>
    Tasklet? Suspended { get; }
}
