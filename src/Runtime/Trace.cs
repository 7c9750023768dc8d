namespace StacklessInteractive;

/// <summary>Why the trace recorded an event: every point where the scheduler switches, or may.</summary>
public enum TraceReason : byte
{
    /// <summary>A tasklet was created and queued.</summary>
    Spawn,
    /// <summary>A step began: the tasklet was resumed (or started).</summary>
    Run,
    /// <summary>The tasklet yielded with <see cref="Scheduler.Schedule"/>.</summary>
    Schedule,
    /// <summary>The tasklet paused itself with <see cref="Scheduler.ScheduleRemove"/>.</summary>
    ScheduleRemove,
    /// <summary>The tasklet blocked sending on a channel.</summary>
    BlockSend,
    /// <summary>The tasklet blocked receiving on a channel.</summary>
    BlockReceive,
    /// <summary>
    /// A value (or exception) passed from <see cref="TraceEvent.Tasklet"/> (sender) to <see cref="TraceEvent.Partner"/>
    /// (receiver); the one of the two that was waiting is unblocked by it.
    /// </summary>
    HandOff,
    /// <summary>The tasklet left a channel's wait queue without a hand-off (killed, thrown into, or main giving up).</summary>
    Unblock,
    /// <summary>The tasklet's body ended (or it was killed and unwound).</summary>
    Exit,
    /// <summary>The tasklet was killed by <see cref="TraceEvent.Partner"/>.</summary>
    Kill,
    /// <summary>An exception was thrown into the tasklet by <see cref="TraceEvent.Partner"/>.</summary>
    Throw,
    /// <summary>The tasklet died of an exception (<see cref="TraceEvent.Value"/>).</summary>
    Exception,
    /// <summary>The watchdog of <see cref="Scheduler.Run(long)"/> interrupted the tasklet and paused it.</summary>
    Interrupted,
    /// <summary>The channel was closed.</summary>
    ChannelClose,
    /// <summary>The channel was reopened.</summary>
    ChannelOpen,
}

/// <summary>One event of the tick trace.</summary>
/// <param name="Step">The step during which it happened (0 before the first step).</param>
/// <param name="Reason">What happened.</param>
/// <param name="Tasklet">The tasklet it happened to (the sender, for a hand-off).</param>
/// <param name="Partner">The other tasklet: the receiver of a hand-off, the killer of a kill.</param>
/// <param name="Channel">The channel involved, if any.</param>
/// <param name="Value">The value handed off or sent, or the exception.</param>
/// <param name="Balance">The channel's balance after the event.</param>
public readonly record struct TraceEvent(long Step, TraceReason Reason, Tasklet Tasklet, Tasklet? Partner = null,
    ChannelBase? Channel = null, object? Value = null, int Balance = 0);

/// <summary>
/// Records the tick trace of a scheduler: set <see cref="Scheduler.Trace"/>. It keeps the most recent
/// <see cref="Capacity"/> events and counts the older ones it dropped, so memory stays bounded on long runs.
/// </summary>
public sealed class TraceRecorder
{
    private readonly TraceEvent[] _ring;
    private int _start;
    private int _count;
    private long _dropped;

    /// <summary>Creates a recorder keeping at most <paramref name="capacity"/> events.</summary>
    public TraceRecorder(int capacity = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new TraceEvent[capacity];
    }

    /// <summary>The most events kept.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Events kept now.</summary>
    public int Count => _count;

    /// <summary>Older events dropped to stay within <see cref="Capacity"/>.</summary>
    public long Dropped => _dropped;

    /// <summary>Events recorded in all, dropped ones included.</summary>
    public long Total => _dropped + _count;

    /// <summary>The kept events, oldest first.</summary>
    public IReadOnlyList<TraceEvent> Events
    {
        get
        {
            var list = new TraceEvent[_count];
            for (var i = 0; i < _count; i++) list[i] = _ring[(_start + i) % _ring.Length];
            return list;
        }
    }

    /// <summary>Forgets every event.</summary>
    public void Clear()
    {
        Array.Clear(_ring);
        _start = _count = 0;
        _dropped = 0;
    }

    internal void Add(in TraceEvent e)
    {
        if (_count < _ring.Length)
        {
            _ring[(_start + _count) % _ring.Length] = e;
            _count++;
            return;
        }
        _ring[_start] = e;
        _start = (_start + 1) % _ring.Length;
        _dropped++;
    }
}
