namespace StacklessInteractive;

/// <summary>
/// What a Stackless operation returns (<see cref="Channel{T}.Send"/>, <see cref="Scheduler.Schedule"/>,
/// <see cref="Tasklet.Run"/>, ...): await it inside a tasklet body.
/// </summary>
/// <remarks>
/// The operation starts when it is called, not when it is awaited. Called by the main tasklet (a
/// program's <c>Main</c> or a notebook cell) it runs the other tasklets until main can continue and is
/// already complete when it returns, so awaiting it is optional there. Called by a tasklet it may
/// suspend that tasklet, which must then await it before doing anything else.
/// </remarks>
public readonly struct Operation : ICriticalNotifyCompletion, IStacklessAwaiter
{
    // 0 when the operation completed synchronously; else its scheduler's weak handle (Scheduler.Handle). The
    // tasklet it suspended is that scheduler's current one both when the body awaits (in the step that made the
    // operation) and when it is resumed, so the handle names it without a GC reference. The compiler copies the
    // awaiter into the body's state machine at every suspension; without a reference that copy needs no GC write
    // barrier (2 per hop on the sieve, 1.7 ns of its 33).
    private readonly nint _scheduler;

    private Operation(nint scheduler) => _scheduler = scheduler;

    /// <summary>An operation that switched the current tasklet of <paramref name="scheduler"/> away.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Operation Suspended(Scheduler scheduler) => new(scheduler.Handle);

    internal static Operation FromHandle(nint scheduler) => new(scheduler);

    Tasklet? IStacklessAwaiter.Suspended => Scheduler.CurrentOf(_scheduler);

    /// <summary>Completed operations need no await.</summary>
    public static Operation Completed => default;

    /// <summary>Awaiter pattern.</summary>
    public Operation GetAwaiter() => this;

    /// <summary>True when the calling tasklet did not have to switch away.</summary>
    public bool IsCompleted => _scheduler == 0;

    /// <summary>Raises what was thrown into the tasklet while it was switched away (a kill, a channel exception).</summary>
    public void GetResult() => Scheduler.CurrentOf(_scheduler)?.OnResumed();

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => Scheduler.CurrentOf(_scheduler)!.SetResume(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => Scheduler.CurrentOf(_scheduler)!.SetResume(continuation);
}

/// <summary>
/// A Stackless operation with a result (<see cref="Channel{T}.Receive"/>): await it inside a tasklet body.
/// See <see cref="Operation"/> for when it starts and completes.
/// </summary>
public readonly struct Operation<T> : ICriticalNotifyCompletion, IStacklessAwaiter
{
    private readonly nint _scheduler; // as in Operation
    private readonly T _value;

    internal Operation(T value) { _scheduler = 0; _value = value; }
    private Operation(nint scheduler) { _scheduler = scheduler; _value = default!; }

    /// <summary>An operation that switched the current tasklet of <paramref name="scheduler"/> away.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Operation<T> Suspended(Scheduler scheduler) => new(scheduler.Handle);

    /// <summary>The tasklet this operation switched away, or null; only while a step of its scheduler runs.</summary>
    internal Tasklet? SuspendedTasklet => Scheduler.CurrentOf(_scheduler);

    /// <summary>The same operation without its result.</summary>
    internal Operation AsOperation() => Operation.FromHandle(_scheduler);

    Tasklet? IStacklessAwaiter.Suspended => SuspendedTasklet;

    /// <summary>Awaiter pattern.</summary>
    public Operation<T> GetAwaiter() => this;

    /// <summary>True when the value was available without switching away.</summary>
    public bool IsCompleted => _scheduler == 0;

    /// <summary>The received value, or what was thrown into the tasklet while it waited.</summary>
    public T GetResult()
    {
        if (_scheduler == 0) return _value;
        return Scheduler.CurrentOf(_scheduler)!.TakeResumedValue<T>();
    }

    /// <summary>The value, for the main tasklet, whose operations complete before they return.</summary>
    /// <exception cref="InvalidOperationException">Read by a tasklet before awaiting.</exception>
    public T Value => _scheduler == 0 ? _value
        : throw new InvalidOperationException("A tasklet must await a channel operation to get its value.");

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => Scheduler.CurrentOf(_scheduler)!.SetResume(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => Scheduler.CurrentOf(_scheduler)!.SetResume(continuation);
}
