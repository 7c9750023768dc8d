namespace StacklessInteractive;

/// <summary>
/// The strategy the explorer installs for one run: it asks the real strategy, writes down every choice (the run's
/// schedule), checks the program's invariant after each step, and notes what a bug report needs.
/// </summary>
internal sealed class RunRecorder : ScheduleStrategy
{
    private readonly ScheduleStrategy _inner;
    private readonly Func<bool>? _invariant;
    private readonly Scheduler _scheduler;

    public RunRecorder(ScheduleStrategy inner, Scheduler scheduler, Func<bool>? invariant)
    {
        _inner = inner;
        _scheduler = scheduler;
        _invariant = invariant;
    }

    public readonly List<int> Choices = [];

    /// <summary>The tasklet of the step running or last run.</summary>
    public Tasklet? Last { get; private set; }

    public bool Stopped { get; private set; }
    public bool InvariantFailed { get; private set; }
    public bool WaitedOutside { get; private set; }

    public override int ChooseNext(ReadOnlySpan<Tasklet> runnable)
    {
        var choice = _inner.ChooseNext(runnable);
        if (choice < 0) Stopped = true;
        else Choices.Add(choice);
        return choice;
    }

    public override int ChooseCase(Tasklet tasklet, int ready)
    {
        var choice = _inner.ChooseCase(tasklet, ready);
        Choices.Add(choice);
        return choice;
    }

    public override bool OnStepping(Tasklet tasklet)
    {
        Last = tasklet;
        if (_inner.OnStepping(tasklet)) return true;
        Stopped = true;
        return false;
    }

    public override void OnTouched(ChannelBase? channel) => _inner.OnTouched(channel);

    public override bool OnStepped(Tasklet tasklet)
    {
        if (!_inner.OnStepped(tasklet)) { Stopped = true; return false; }
        if (_scheduler.WaitingIOCount != 0) { WaitedOutside = true; return false; }
        if (_invariant is not null && !_invariant()) { InvariantFailed = true; return false; }
        return true;
    }
}
