namespace StacklessInteractive.Networking;

/// <summary>
/// The cancellation of one socket operation: the caller's token, linked with a timer when the socket has a
/// <see cref="TaskletSocket.Timeout"/>. Tells a timeout (the timer fired) from the caller's own cancellation.
/// </summary>
internal readonly struct OperationTimeout : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationToken _caller;
    private readonly TimeSpan _after;

    private OperationTimeout(CancellationTokenSource? timer, CancellationToken caller, TimeSpan after)
    {
        _timer = timer;
        _caller = caller;
        _after = after;
    }

    /// <summary>Starts the timer (none when <paramref name="after"/> is infinite).</summary>
    public static OperationTimeout Start(TimeSpan after, CancellationToken caller)
    {
        if (after == Timeout.InfiniteTimeSpan) return new(null, caller, after);
        var timer = caller.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(caller) : new CancellationTokenSource();
        timer.CancelAfter(after);
        return new(timer, caller, after);
    }

    /// <summary>The token to give the socket's operation.</summary>
    public CancellationToken Token => _timer?.Token ?? _caller;

    /// <summary>True when a timer runs: a cancellation then has to be told apart from the caller's.</summary>
    public bool HasTimer => _timer is not null;

    /// <summary>True when the operation was cancelled by the timer rather than by the caller.</summary>
    public bool Expired => _timer is { IsCancellationRequested: true } && !_caller.IsCancellationRequested;

    /// <summary>What a timed-out operation raises.</summary>
    public TimeoutException Exception(string operation) =>
        new($"The socket's {operation} did not complete within {_after.TotalMilliseconds:0} ms.");

    public void Dispose() => _timer?.Dispose();
}
