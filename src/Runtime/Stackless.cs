namespace StacklessInteractive;

/// <summary>
/// Stackless's module-level functions over <see cref="Scheduler.Default"/>, so the talk's examples read as
/// they do in Python: <c>Stackless.Tasklet(f).Setup(args)</c>, <c>Stackless.Run()</c>, <c>Stackless.Schedule()</c>.
/// </summary>
public static class Stackless
{
    /// <summary>Binds <paramref name="function"/> to a new tasklet on the default scheduler; <see cref="StacklessInteractive.Tasklet.Setup"/> starts it.</summary>
    public static Tasklet Tasklet(Delegate function) => new(function);

    /// <summary>Runs the default scheduler until no tasklet is runnable (Stackless's <c>run()</c>).</summary>
    public static void Run() => Scheduler.Default.Run();

    /// <summary>Runs at most <paramref name="maxSteps"/> steps; returns the interrupted tasklet, if any.</summary>
    public static Tasklet? Run(long maxSteps) => Scheduler.Default.Run(maxSteps);

    /// <summary>
    /// Runs with a watchdog of <paramref name="maxSteps"/> steps; <c>totalTimeout: false</c> makes it a budget per
    /// slice, Stackless's default for <c>run(timeout)</c> (see <see cref="Scheduler.Run(long, bool, bool)"/>).
    /// </summary>
    public static Tasklet? Run(long maxSteps, bool soft = false, bool totalTimeout = true)
        => Scheduler.Default.Run(maxSteps, soft, totalTimeout);

    /// <summary>Makes the current tasklet atomic until the scope is disposed (Stackless's <c>with stackless.atomic():</c>).</summary>
    public static AtomicScope Atomic() => Scheduler.Default.Atomic();

    /// <summary>Adds <paramref name="delta"/> to the switch trap level and returns the old one (Stackless's <c>switch_trap(delta)</c>).</summary>
    public static int SwitchTrap(int delta)
    {
        var scheduler = Scheduler.Default;
        var old = scheduler.SwitchTrap;
        scheduler.SwitchTrap = old + delta;
        return old;
    }

    /// <summary>Yields to the next runnable tasklet (Stackless's <c>schedule()</c>).</summary>
    public static Operation Schedule() => Scheduler.Default.Schedule();

    /// <summary>Yields and pauses the current tasklet (Stackless's <c>schedule_remove()</c>).</summary>
    public static Operation ScheduleRemove() => Scheduler.Default.ScheduleRemove();

    /// <summary>The running tasklet (Stackless's <c>getcurrent()</c>).</summary>
    public static Tasklet GetCurrent() => Scheduler.Default.Current;

    /// <summary>The main tasklet (Stackless's <c>getmain()</c>).</summary>
    public static Tasklet GetMain() => Scheduler.Default.Main;

    /// <summary>Runnable tasklets, current included (Stackless's <c>getruncount()</c>).</summary>
    public static int GetRunCount() => Scheduler.Default.RunCount;

    /// <summary>
    /// Checks a property of the program: when <paramref name="condition"/> is false it raises
    /// <see cref="StacklessAssertionException"/>, which <see cref="Explorer"/> reports as a failed assertion with the
    /// schedule that broke it.
    /// </summary>
    public static void Assert(bool condition, [CallerArgumentExpression(nameof(condition))] string? message = null)
    {
        if (!condition) throw new StacklessAssertionException("Assertion failed: " + message);
    }
}
