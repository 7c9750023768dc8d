namespace StacklessInteractive;

/// <summary>What <see cref="Select.From"/> returns: await it in a tasklet body for the <see cref="SelectResult"/>.</summary>
public readonly struct SelectOperation : ICriticalNotifyCompletion, IStacklessAwaiter
{
    private readonly nint _scheduler;        // 0 when complete, else the scheduler's handle (see Operation)
    private readonly int _index;
    private readonly object? _value;
    private readonly SelectCase? _taken;     // a ready case whose operation switched the tasklet away
    private readonly SelectWait? _wait;      // the select blocked: the case that fires is known when it resumes

    internal SelectOperation(int index, object? value) { _scheduler = 0; _index = index; _value = value; _taken = null; _wait = null; }

    internal SelectOperation(Scheduler scheduler, int index, SelectCase? taken, SelectWait? wait)
    {
        _scheduler = scheduler.Handle;
        _index = index;
        _value = null;
        _taken = taken;
        _wait = wait;
    }

    Tasklet? IStacklessAwaiter.Suspended => Scheduler.CurrentOf(_scheduler);

    /// <summary>Awaiter pattern.</summary>
    public SelectOperation GetAwaiter() => this;

    /// <summary>True when a case was taken without switching away.</summary>
    public bool IsCompleted => _scheduler == 0;

    /// <summary>The case taken; raises what a selected channel sent instead of a value, or what was thrown into the tasklet.</summary>
    public SelectResult GetResult()
    {
        if (_scheduler == 0) return new SelectResult(_index, _value);
        var tasklet = Scheduler.CurrentOf(_scheduler)!;
        tasklet.OnResumed();
        if (_wait is { } wait) return new SelectResult(wait.Fired, wait.Cases[wait.Fired].TakeResult(tasklet));
        return new SelectResult(_index, _taken!.TakeResult(tasklet));
    }

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => Scheduler.CurrentOf(_scheduler)!.SetResume(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => Scheduler.CurrentOf(_scheduler)!.SetResume(continuation);
}
