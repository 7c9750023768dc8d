namespace StacklessInteractive;

/// <summary>
/// One tasklet waiting on one task (<see cref="Scheduler.BlockOn{T}(Task{T})"/>): the link between the thread that
/// completes the task and the scheduler's loop that resumes the tasklet.
/// </summary>
internal abstract class IoWait(Scheduler scheduler, Task task)
{
    public Task Task { get; } = task;

    /// <summary>The waiting tasklet; null once abandoned (the tasklet was killed or thrown into).</summary>
    public Tasklet? Tasklet;

    /// <summary>Asks the task to report its completion to the scheduler, from whichever thread completes it.</summary>
    public void Register() =>
        Task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => scheduler.Completed(this));

    /// <summary>On the loop's thread: leaves the result (or the exception) for the tasklet to take when it resumes.</summary>
    public abstract void Deliver(Tasklet t);

    /// <summary>The exception a failed or canceled task raises in its waiter (also the reactor's, <see cref="Reactor"/>).</summary>
    internal static Exception ErrorOf(Task task) =>
        task.IsCanceled ? new TaskCanceledException(task) : task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception;
}

internal sealed class IoWait<T>(Scheduler scheduler, Task task, Task<T>? typed) : IoWait(scheduler, task)
{
    public override void Deliver(Tasklet t)
    {
        if (Task.IsCompletedSuccessfully) { t.PutValue(typed is null ? default! : typed.Result); return; }
        var error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ErrorOf(Task));
        // Main takes its value in transit when its wait returns; a tasklet raises its pending exception when it resumes, which the
        // untyped Operation of BlockOn(Task) does too (an error in transit would wait for the tasklet's next typed receive).
        if (t.IsMain) t.PutError(error);
        else t.SetPending(error);
    }

    /// <summary>The task was already complete: its result (or exception) at once, without a switch.</summary>
    public Operation<T> ResultNow()
    {
        if (!Task.IsCompletedSuccessfully) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ErrorOf(Task));
        return new Operation<T>(typed is null ? default! : typed.Result);
    }
}
