namespace StacklessInteractive;

/// <summary>
/// Waits on several channel operations at once and takes the first that can go (Go's <c>select</c>, PyCSP's
/// <c>Alternation</c>): <c>var r = await Select.From(a.Receiving(), b.Sending(v), Select.Timeout(10));</c>.
/// </summary>
/// <remarks>
/// <para><b>Choosing.</b> When several cases are ready (a partner waits), the first in the list is taken, as
/// deterministic as Stackless; a <see cref="Scheduler.Strategy"/> may choose another (a choice point). When none is
/// ready, <see cref="Default"/> is taken if given; otherwise the tasklet blocks on every channel at once.</para>
/// <para><b>Blocked.</b> The select waits in each channel's queue (a stand-in per case, see <see cref="SelectWait"/>),
/// counts in each balance, and shows on each channel's waiters. The first partner to come takes its case like a plain
/// send or receive (the channel's preference decides who runs next); the other channels forget the select at once.</para>
/// <para><b>Errors.</b> An exception sent through a selected channel is raised by the await, as by a plain receive.
/// A select that would block while one of its channels is closing raises <see cref="ChannelClosedException"/>, as a
/// plain operation that would block there does; with block_trap set it raises instead of blocking. A kill or a throw
/// takes the select out of every queue.</para>
/// <para>Select is for tasklet bodies; the main tasklet (a cell) can spawn one.</para>
/// </remarks>
public static class Select
{
    /// <summary>The default case: taken at once when no other case is ready.</summary>
    public static SelectCase Default => DefaultCase.Instance;

    /// <summary>A case that fires after <paramref name="rounds"/> rounds of the scheduler (see the remarks of the timeout's timer tasklet).</summary>
    public static SelectCase Timeout(int rounds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        return new TimeoutCase(rounds);
    }

    /// <summary>Takes the first ready case of <paramref name="cases"/>, or waits for one.</summary>
    /// <exception cref="ArgumentException">No case, cases of different schedulers, or more than one default or timeout.</exception>
    public static SelectOperation From(params SelectCase[] cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        if (cases.Length == 0) throw new ArgumentException("A select needs at least one case.", nameof(cases));
        Scheduler? scheduler = null;
        int defaultAt = -1, timeouts = 0;
        for (var i = 0; i < cases.Length; i++)
        {
            var c = cases[i] ?? throw new ArgumentNullException(nameof(cases), $"Case #{i} is null.");
            if (c is DefaultCase) { if (defaultAt >= 0) throw new ArgumentException("A select takes one default case.", nameof(cases)); defaultAt = i; }
            else if (c is TimeoutCase t)
            {
                if (++timeouts > 1 || t.Channel is not null) throw new ArgumentException("A select takes one timeout, made for it (Select.Timeout(n)).", nameof(cases));
            }
            else if (scheduler is null) scheduler = c.Channel!.Owner;
            else if (c.Channel!.Owner != scheduler) throw new ArgumentException("Every channel of a select belongs to one scheduler.", nameof(cases));
        }
        if (defaultAt >= 0 && timeouts > 0) throw new ArgumentException("A select takes a default or a timeout, not both.", nameof(cases));
        scheduler ??= Scheduler.Default;
        if (!scheduler.StepRunsHere())
        {
            if (scheduler.Current.IsMain) throw new NotSupportedException("Select is for tasklet bodies; from the main tasklet, spawn a tasklet that selects.");
            throw Scheduler.NotRunning(scheduler.Current);
        }
        var caller = scheduler.Current;
        if (caller.SuspendPending) scheduler.BeginSuspend(caller); // throws: the previous operation was not awaited

        Span<int> ready = stackalloc int[cases.Length];
        var readyCount = 0;
        for (var i = 0; i < cases.Length; i++)
        {
            if (cases[i].Channel is { } channel) scheduler.Touched(channel);
            if (cases[i].IsReady) ready[readyCount++] = i;
        }
        if (readyCount > 0)
        {
            var index = ready[scheduler.ChooseCase(readyCount)];
            return cases[index].Perform(out var value)
                ? new SelectOperation(index, value)
                : new SelectOperation(scheduler, index, cases[index], null);
        }
        if (defaultAt >= 0) return new SelectOperation(defaultAt, null);

        if (caller.BlockTrap) throw new InvalidOperationException("this tasklet does not like to be blocked.");
        foreach (var c in cases) if (c.Channel is { Closing: true }) throw new ChannelClosedException();
        foreach (var c in cases) c.Arm(scheduler); // a timeout's timer: spawned before the deadlock check, it can run
        scheduler.CheckCanLeaveRing(caller);
        var wait = new SelectWait(caller, cases);
        wait.Enqueue();
        scheduler.BeginSuspend(caller);
        return new SelectOperation(scheduler, -1, null, wait);
    }
}
