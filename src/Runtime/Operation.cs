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
    // Null when the operation completed synchronously; else the tasklet that is suspended by it.
    private readonly Tasklet? _suspended;

    internal Operation(Tasklet? suspended) => _suspended = suspended;

    Tasklet? IStacklessAwaiter.Suspended => _suspended;

    /// <summary>Completed operations need no await.</summary>
    public static Operation Completed => default;

    /// <summary>Awaiter pattern.</summary>
    public Operation GetAwaiter() => this;

    /// <summary>True when the calling tasklet did not have to switch away.</summary>
    public bool IsCompleted => _suspended is null;

    /// <summary>Raises what was thrown into the tasklet while it was switched away (a kill, a channel exception).</summary>
    public void GetResult() => _suspended?.OnResumed();

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => _suspended!.SetResume(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => _suspended!.SetResume(continuation);
}

/// <summary>
/// A Stackless operation with a result (<see cref="Channel{T}.Receive"/>): await it inside a tasklet body.
/// See <see cref="Operation"/> for when it starts and completes.
/// </summary>
public readonly struct Operation<T> : ICriticalNotifyCompletion, IStacklessAwaiter
{
    private readonly Tasklet? _suspended;
    private readonly T _value;

    internal Operation(T value) { _suspended = null; _value = value; }
    internal Operation(Tasklet suspended) { _suspended = suspended; _value = default!; }

    internal Tasklet? SuspendedTasklet => _suspended;

    Tasklet? IStacklessAwaiter.Suspended => _suspended;

    /// <summary>Awaiter pattern.</summary>
    public Operation<T> GetAwaiter() => this;

    /// <summary>True when the value was available without switching away.</summary>
    public bool IsCompleted => _suspended is null;

    /// <summary>The received value, or what was thrown into the tasklet while it waited.</summary>
    public T GetResult()
    {
        if (_suspended is null) return _value;
        _suspended.OnResumed();
        return _suspended.TakeValue<T>();
    }

    /// <summary>The value, for the main tasklet, whose operations complete before they return.</summary>
    /// <exception cref="InvalidOperationException">Read by a tasklet before awaiting.</exception>
    public T Value => _suspended is null ? _value
        : throw new InvalidOperationException("A tasklet must await a channel operation to get its value.");

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => _suspended!.SetResume(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => _suspended!.SetResume(continuation);
}
