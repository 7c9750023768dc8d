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

    /// <summary>
    /// The scheduler's spare starter when it is a <typeparamref name="TStarter"/>, taken; else null. Checked first
    /// like every spawn (<see cref="Scheduler.CheckOwner"/>), so that a spawn from a thread that may not drive the
    /// scheduler fails before it touches a starter the driving thread may be reusing.
    /// </summary>
    protected static TStarter? TakeSpare<TStarter>(Scheduler scheduler) where TStarter : TaskletStarter
    {
        scheduler.CheckOwner();
        if (scheduler.SpareStarter is not TStarter spare) return null;
        scheduler.SpareStarter = null;
        return spare;
    }
}

// The starters of spawns with arguments are recycled, one spare per scheduler (Scheduler.SpareStarter): a starter
// dies at its tasklet's first step, and left to the GC it would sit between the objects of the tasklets spawned after
// it (a sieve's filter is its channel, its tasklet and its body's box, allocated in a row), where a long pipeline
// walks through them. A starter gives itself back before calling the body, cleared so that it holds nothing.

internal sealed class Starter<T1> : TaskletStarter
{
    private Func<T1, TaskletBody>? _function;
    private T1 _arg1 = default!;

    public static Starter<T1> For(Scheduler scheduler, Func<T1, TaskletBody> function, T1 arg1)
    {
        var starter = TakeSpare<Starter<T1>>(scheduler) ?? new Starter<T1>();
        (starter._function, starter._arg1) = (function, arg1);
        return starter;
    }

    public override void Start(Tasklet tasklet)
    {
        var (function, arg1) = (_function!, _arg1);
        (_function, _arg1) = (null, default!);
        tasklet.Scheduler.SpareStarter = this;
        Accept(tasklet, function(arg1));
    }
}

internal sealed class Starter<T1, T2> : TaskletStarter
{
    private Func<T1, T2, TaskletBody>? _function;
    private T1 _arg1 = default!;
    private T2 _arg2 = default!;

    public static Starter<T1, T2> For(Scheduler scheduler, Func<T1, T2, TaskletBody> function, T1 arg1, T2 arg2)
    {
        var starter = TakeSpare<Starter<T1, T2>>(scheduler) ?? new Starter<T1, T2>();
        (starter._function, starter._arg1, starter._arg2) = (function, arg1, arg2);
        return starter;
    }

    public override void Start(Tasklet tasklet)
    {
        var (function, arg1, arg2) = (_function!, _arg1, _arg2);
        (_function, _arg1, _arg2) = (null, default!, default!);
        tasklet.Scheduler.SpareStarter = this;
        Accept(tasklet, function(arg1, arg2));
    }
}

internal sealed class Starter<T1, T2, T3> : TaskletStarter
{
    private Func<T1, T2, T3, TaskletBody>? _function;
    private T1 _arg1 = default!;
    private T2 _arg2 = default!;
    private T3 _arg3 = default!;

    public static Starter<T1, T2, T3> For(Scheduler scheduler, Func<T1, T2, T3, TaskletBody> function, T1 arg1, T2 arg2, T3 arg3)
    {
        var starter = TakeSpare<Starter<T1, T2, T3>>(scheduler) ?? new Starter<T1, T2, T3>();
        (starter._function, starter._arg1, starter._arg2, starter._arg3) = (function, arg1, arg2, arg3);
        return starter;
    }

    public override void Start(Tasklet tasklet)
    {
        var (function, arg1, arg2, arg3) = (_function!, _arg1, _arg2, _arg3);
        (_function, _arg1, _arg2, _arg3) = (null, default!, default!, default!);
        tasklet.Scheduler.SpareStarter = this;
        Accept(tasklet, function(arg1, arg2, arg3));
    }
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
