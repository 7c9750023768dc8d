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
    /// <summary>The tasklet began to wait on an asynchronous operation (<see cref="Scheduler.BlockOn(Task)"/>).</summary>
    BlockIO,
    /// <summary>The operation the tasklet waited on completed: it is runnable again.</summary>
    UnblockIO,
    /// <summary>Nothing could run and tasklets waited on I/O: the scheduler slept until a completion.</summary>
    IdleWait,
}

/// <summary>One event of the tick trace.</summary>
/// <remarks>
/// A value of a small primitive type (an <c>int</c> handed through a <c>Channel&lt;int&gt;</c>, say) is kept as raw
/// bits and boxed only when <see cref="Value"/> is read, so that recording a hand-off allocates nothing.
/// </remarks>
public readonly record struct TraceEvent
{
    private enum Kind : byte { Reference, Int32, Int64, Double, Boolean, Char }

    private readonly object? _valueRef;
    private readonly long _valueBits;
    private readonly Kind _valueKind;

    /// <summary>Creates an event.</summary>
    /// <param name="Step">The step during which it happened (0 before the first step).</param>
    /// <param name="Reason">What happened.</param>
    /// <param name="Tasklet">The tasklet it happened to (the sender, for a hand-off).</param>
    /// <param name="Partner">The other tasklet: the receiver of a hand-off, the killer of a kill.</param>
    /// <param name="Channel">The channel involved, if any.</param>
    /// <param name="Value">The value handed off or sent, or the exception.</param>
    /// <param name="Balance">The channel's balance after the event.</param>
    public TraceEvent(long Step, TraceReason Reason, Tasklet Tasklet, Tasklet? Partner = null,
        ChannelBase? Channel = null, object? Value = null, int Balance = 0)
    {
        this.Step = Step;
        this.Reason = Reason;
        this.Tasklet = Tasklet;
        this.Partner = Partner;
        this.Channel = Channel;
        this.Balance = Balance;
        (_valueRef, _valueBits, _valueKind) = Value switch
        {
            int i => (null, i, Kind.Int32),
            long l => (null, l, Kind.Int64),
            double d => (null, BitConverter.DoubleToInt64Bits(d), Kind.Double),
            bool b => (null, b ? 1L : 0L, Kind.Boolean),
            char c => (null, (long)c, Kind.Char),
            _ => ((object?)Value, 0L, Kind.Reference),
        };
    }

    /// <summary>Records <paramref name="value"/> without boxing the common primitive types.</summary>
    internal static TraceEvent Of<T>(long step, TraceReason reason, Tasklet tasklet, Tasklet? partner, ChannelBase? channel, T value, int balance)
    {
        if (typeof(T) == typeof(int)) return new(step, reason, tasklet, partner, channel, balance, Unsafe.As<T, int>(ref value), Kind.Int32);
        if (typeof(T) == typeof(long)) return new(step, reason, tasklet, partner, channel, balance, Unsafe.As<T, long>(ref value), Kind.Int64);
        if (typeof(T) == typeof(double)) return new(step, reason, tasklet, partner, channel, balance, BitConverter.DoubleToInt64Bits(Unsafe.As<T, double>(ref value)), Kind.Double);
        if (typeof(T) == typeof(bool)) return new(step, reason, tasklet, partner, channel, balance, Unsafe.As<T, bool>(ref value) ? 1 : 0, Kind.Boolean);
        if (typeof(T) == typeof(char)) return new(step, reason, tasklet, partner, channel, balance, Unsafe.As<T, char>(ref value), Kind.Char);
        return new TraceEvent(step, reason, tasklet, partner, channel, value, balance);
    }

    private TraceEvent(long step, TraceReason reason, Tasklet tasklet, Tasklet? partner, ChannelBase? channel, int balance, long bits, Kind kind)
    {
        Step = step;
        Reason = reason;
        Tasklet = tasklet;
        Partner = partner;
        Channel = channel;
        Balance = balance;
        _valueRef = null;
        _valueBits = bits;
        _valueKind = kind;
    }

    /// <summary>The step during which it happened (0 before the first step).</summary>
    public long Step { get; init; }

    /// <summary>What happened.</summary>
    public TraceReason Reason { get; init; }

    /// <summary>The tasklet it happened to (the sender, for a hand-off).</summary>
    public Tasklet Tasklet { get; init; }

    /// <summary>The other tasklet: the receiver of a hand-off, the killer of a kill.</summary>
    public Tasklet? Partner { get; init; }

    /// <summary>The channel involved, if any.</summary>
    public ChannelBase? Channel { get; init; }

    /// <summary>The channel's balance after the event.</summary>
    public int Balance { get; init; }

    /// <summary>The value handed off or sent, or the exception (boxed on each read for primitive values).</summary>
    public object? Value => _valueKind switch
    {
        Kind.Int32 => (int)_valueBits,
        Kind.Int64 => _valueBits,
        Kind.Double => BitConverter.Int64BitsToDouble(_valueBits),
        Kind.Boolean => _valueBits != 0,
        Kind.Char => (char)_valueBits,
        _ => _valueRef,
    };
}

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
