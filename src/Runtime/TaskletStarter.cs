using System.Reflection;

namespace StacklessInteractive;

/// <summary>
/// How a tasklet's body is first called. Bodies are called lazily, on the tasklet's first step, so that
/// creating a tasklet never runs it (Stackless: <c>tasklet(f)(args)</c> only schedules).
/// </summary>
internal abstract class TaskletStarter
{
    /// <summary>Calls the body; leaves in <see cref="Tasklet.Body"/> what to watch for completion.</summary>
    public abstract void Start(Tasklet tasklet);

    internal static void Accept(Tasklet tasklet, TaskletBody body)
    {
        if (body.Box is { } box) { tasklet.Body = box; return; }
        tasklet.Body = null;
        body.Exception?.Throw();
    }

    protected static void Accept(Tasklet tasklet, Task? task) => tasklet.Body = task;
}

internal sealed class Starter<T1>(Func<T1, TaskletBody> function, T1 arg1) : TaskletStarter
{
    public override void Start(Tasklet tasklet) => Accept(tasklet, function(arg1));
}

internal sealed class Starter<T1, T2>(Func<T1, T2, TaskletBody> function, T1 arg1, T2 arg2) : TaskletStarter
{
    public override void Start(Tasklet tasklet) => Accept(tasklet, function(arg1, arg2));
}

internal sealed class Starter<T1, T2, T3>(Func<T1, T2, T3, TaskletBody> function, T1 arg1, T2 arg2, T3 arg3) : TaskletStarter
{
    public override void Start(Tasklet tasklet) => Accept(tasklet, function(arg1, arg2, arg3));
}

internal sealed class TaskStarter(Func<Task> function) : TaskletStarter
{
    public override void Start(Tasklet tasklet) => Accept(tasklet, function());
}

internal sealed class ActionStarter(Action action) : TaskletStarter
{
    public override void Start(Tasklet tasklet) { tasklet.Body = null; action(); }
}

/// <summary>Any delegate with arguments given later (Stackless's <c>bind</c> then <c>setup</c>).</summary>
internal sealed class DynamicStarter(Delegate function, object?[]? args) : TaskletStarter
{
    public Delegate Function { get; } = function;
    public object?[]? Args { get; set; } = args;

    public void CheckArity(Tasklet tasklet)
    {
        var expected = Function.Method.GetParameters().Length;
        var given = Args?.Length ?? 0;
        if (expected != given)
            throw new ArgumentException($"{tasklet.Name}: the function takes {expected} argument(s) but {given} were given.");
    }

    public override void Start(Tasklet tasklet)
    {
        object? result;
        try
        {
            result = Function.DynamicInvoke(Args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw; // unreachable
        }
        switch (result)
        {
            case TaskletBody body: Accept(tasklet, body); break;
            case Task task: Accept(tasklet, task); break;
            case ValueTask valueTask: Accept(tasklet, valueTask.AsTask()); break;
            default: tasklet.Body = null; break;
        }
    }
}
