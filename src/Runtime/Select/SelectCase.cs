namespace StacklessInteractive;

/// <summary>
/// One case of a <see cref="Select"/>: a receive (<see cref="Channel{T}.Receiving"/>), a send
/// (<see cref="Channel{T}.Sending"/>), <see cref="Select.Default"/> or <see cref="Select.Timeout"/>.
/// </summary>
public abstract class SelectCase
{
    private protected SelectCase() { }

    /// <summary>The channel, or null for the default case (and for a timeout until its select blocks).</summary>
    public abstract ChannelBase? Channel { get; }

    /// <summary>+1 send, -1 receive, 0 default or timeout.</summary>
    public abstract int Direction { get; }

    /// <summary>True when a partner waits: taking the case would not block.</summary>
    internal bool IsReady => Channel is { } c && (Direction > 0 ? c.Balance < 0 : Direction < 0 && c.Balance > 0);

    /// <summary>The operation, by the current tasklet; true when it completed without switching (a received value in <paramref name="value"/>).</summary>
    internal abstract bool Perform(out object? value);

    /// <summary>What the selecting tasklet gets once the case fired while it was switched away: the received value (boxed), or null.</summary>
    internal abstract object? TakeResult(Tasklet tasklet);

    /// <summary>A send case's value goes with its stand-in into the channel's queue.</summary>
    internal abstract void PutSendValue(Tasklet standIn);

    /// <summary>Called when the select blocks with this case, before its stand-in is queued (a timeout starts its timer).</summary>
    internal virtual void Arm(Scheduler scheduler) { }
}

/// <summary>A send or receive case on a <see cref="Channel{T}"/>.</summary>
internal sealed class SelectCase<T>(Channel<T> channel, int direction, T value) : SelectCase
{
    public override ChannelBase Channel => channel;
    public override int Direction => direction;

    internal override bool Perform(out object? received)
    {
        received = null;
        if (direction > 0) return channel.Send(value).IsCompleted;
        var op = channel.Receive();
        if (!op.IsCompleted) return false;
        received = op.GetResult();
        return true;
    }

    internal override object? TakeResult(Tasklet tasklet) => direction > 0 ? null : tasklet.TakeValue<T>();

    internal override void PutSendValue(Tasklet standIn) => standIn.PutValue(value);
}

/// <summary>Taken when no other case is ready: the select never blocks.</summary>
internal sealed class DefaultCase : SelectCase
{
    public static readonly DefaultCase Instance = new();
    public override ChannelBase? Channel => null;
    public override int Direction => 0;
    internal override bool Perform(out object? value) { value = null; return true; }
    internal override object? TakeResult(Tasklet tasklet) => null;
    internal override void PutSendValue(Tasklet standIn) { }
}

/// <summary>
/// Fires when the select has waited <c>rounds</c> rounds of the scheduler: when the select blocks, a timer tasklet
/// ("timeout") is spawned that yields that many times, then sends on a channel of its own if the select still waits
/// there. Time is counted in the scheduler's steps, not in seconds, so a timeout is part of the schedule: replayable
/// and explorable. When another case fires first, the timer finds nobody waiting and ends.
/// </summary>
internal sealed class TimeoutCase(int rounds) : SelectCase
{
    private Channel<bool>? _channel;
    public int Rounds => rounds;
    public override ChannelBase? Channel => _channel;
    public override int Direction => _channel is null ? 0 : -1;
    internal override bool Perform(out object? value) { value = null; return _channel!.Receive().IsCompleted; }
    internal override object? TakeResult(Tasklet tasklet) { tasklet.TakeValue<bool>(); return null; }
    internal override void PutSendValue(Tasklet standIn) { }

    internal override void Arm(Scheduler scheduler)
    {
        var channel = _channel = new Channel<bool>(scheduler, "timeout");
        scheduler.Spawn(Timer, scheduler, channel, rounds, "timeout");
    }

    private static async TaskletBody Timer(Scheduler scheduler, Channel<bool> channel, int rounds)
    {
        for (var i = 0; i < rounds; i++) await scheduler.Schedule();
        if (channel.Balance < 0) await channel.Send(true);
    }
}
