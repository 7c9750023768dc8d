using System.Numerics;

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

/// <summary>How a <see cref="TraceEvent"/> holds its value: a reference, or the raw bits of a common primitive.</summary>
internal enum TraceValueKind : byte { Reference, Int32, Int64, Double, Boolean, Char }

/// <summary>One event of the tick trace.</summary>
/// <remarks>
/// A value of a small primitive type (an <c>int</c> handed through a <c>Channel&lt;int&gt;</c>, say) is kept as raw
/// bits and boxed only when <see cref="Value"/> is read, so that recording a hand-off allocates nothing.
/// </remarks>
public readonly record struct TraceEvent
{
    private readonly object? _valueRef;
    private readonly long _valueBits;
    private readonly TraceValueKind _valueKind;

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
        (_valueRef, _valueBits, _valueKind) = Encode(Value);
    }

    internal TraceEvent(long step, TraceReason reason, Tasklet tasklet, Tasklet? partner, ChannelBase? channel, int balance,
        object? valueRef, long valueBits, TraceValueKind valueKind)
    {
        Step = step;
        Reason = reason;
        Tasklet = tasklet;
        Partner = partner;
        Channel = channel;
        Balance = balance;
        _valueRef = valueRef;
        _valueBits = valueBits;
        _valueKind = valueKind;
    }

    /// <summary>A boxed value as the trace keeps it: the common primitives as raw bits, anything else as the reference.</summary>
    internal static (object? Ref, long Bits, TraceValueKind Kind) Encode(object? value) => value switch
    {
        int i => (null, i, TraceValueKind.Int32),
        long l => (null, l, TraceValueKind.Int64),
        double d => (null, BitConverter.DoubleToInt64Bits(d), TraceValueKind.Double),
        bool b => (null, b ? 1L : 0L, TraceValueKind.Boolean),
        char c => (null, (long)c, TraceValueKind.Char),
        _ => (value, 0L, TraceValueKind.Reference),
    };

    /// <summary>The same for a value of a static type <typeparamref name="T"/>, without boxing the common primitives.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TraceValueKind Encode<T>(T value, out long bits, out object? reference)
    {
        reference = null;
        if (typeof(T) == typeof(int)) { bits = Unsafe.As<T, int>(ref value); return TraceValueKind.Int32; }
        if (typeof(T) == typeof(long)) { bits = Unsafe.As<T, long>(ref value); return TraceValueKind.Int64; }
        if (typeof(T) == typeof(double)) { bits = BitConverter.DoubleToInt64Bits(Unsafe.As<T, double>(ref value)); return TraceValueKind.Double; }
        if (typeof(T) == typeof(bool)) { bits = Unsafe.As<T, bool>(ref value) ? 1 : 0; return TraceValueKind.Boolean; }
        if (typeof(T) == typeof(char)) { bits = Unsafe.As<T, char>(ref value); return TraceValueKind.Char; }
        TraceValueKind kind;
        (reference, bits, kind) = Encode((object?)value);
        return kind;
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
        TraceValueKind.Int32 => (int)_valueBits,
        TraceValueKind.Int64 => _valueBits,
        TraceValueKind.Double => BitConverter.Int64BitsToDouble(_valueBits),
        TraceValueKind.Boolean => _valueBits != 0,
        TraceValueKind.Char => (char)_valueBits,
        _ => _valueRef,
    };

    internal object? ValueRef => _valueRef;
    internal long ValueBits => _valueBits;
    internal TraceValueKind ValueKind => _valueKind;
}

/// <summary>
/// Records the tick trace of a scheduler: set <see cref="Scheduler.Trace"/>. It keeps the most recent
/// <see cref="Capacity"/> events and counts the older ones it dropped, so memory stays bounded on long runs.
/// </summary>
/// <remarks>
/// <para>The scheduler records about four events per hand-off, so recording is written for speed. A slot of the ring
/// holds no reference to a tasklet or a channel, only a small number, its handle in this recorder: every reference
/// written into the ring (a large, long-lived array) would pass through a GC write barrier, which cost about a
/// third of the trace's price. <see cref="Events"/> turns handles back into objects when read.</para>
/// <para>Invariants: handle 0 means "none"; <c>_objects[h]</c> is the object of every kept event that names
/// <c>h</c>; an object remembers its last handle (<c>TraceHandle</c>), which is valid only while
/// <c>_objects[h]</c> is that object (asserted in debug builds after each compaction). When the table is full,
/// <see cref="Compact"/> keeps only the objects that kept events name, so dropped events release their tasklets and
/// channels, and the table stays within twelve times <see cref="Capacity"/> handles even when every event names three
/// objects no other event names (a few thousand handles for a notebook's programs).</para>
/// <para>Give it a capacity that covers the events a program's tasklets take to come round again. A ring that forgets
/// a tasklet before it is named again (the 10,000 filters of <c>sieve-upto 104729</c> against 1,000 slots) makes
/// nearly every event take a new handle and the table compact often: recording then cost about twice as much as
/// with 100,000 slots (108-153 against 66-76 ns a hop, five interleaved pairs, 2026-11-28).</para>
/// <para>Like the scheduler that writes to it, a recorder is used by one thread at a time: read <see cref="Events"/>
/// between runs, or from a tasklet, not from another thread while its scheduler runs (a compaction renumbers
/// the ring in place).</para>
/// </remarks>
public sealed partial class TraceRecorder
{
    // One slot of the ring: a TraceEvent's fields, with handles in place of tasklets and channels.
    private struct Entry
    {
        public long Step;
        public long ValueBits;
        public object? ValueRef;
        public int Tasklet;
        public int Partner;
        public int Channel;
        public int Balance;
        public TraceReason Reason;
        public TraceValueKind ValueKind;
    }

    private const int HandlesPerEvent = 3; // tasklet, partner, channel

    private readonly Entry[] _ring;
    private int _start;
    private int _count;
    private long _dropped;
    private object?[] _objects = new object?[64]; // handle -> Tasklet or ChannelBase; slot 0 unused
    private int[] _renumbered = [];               // Compact's scratch table, kept between compactions
    private int _nextHandle = 1;

    /// <summary>Creates a recorder keeping at most <paramref name="capacity"/> events.</summary>
    public TraceRecorder(int capacity = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new Entry[capacity];
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
            var list = new List<TraceEvent>(_count);
            KeptEvents(out var older, out var newer);
            foreach (ref var e in older) list.Add(ToEvent(in e));
            foreach (ref var e in newer) list.Add(ToEvent(in e));
            return list;
        }
    }

    private TraceEvent ToEvent(in Entry e) => new(e.Step, e.Reason, (Tasklet)_objects[e.Tasklet]!, (Tasklet?)_objects[e.Partner],
        (ChannelBase?)_objects[e.Channel], e.Balance, e.ValueRef, e.ValueBits, e.ValueKind);

    /// <summary>Forgets every event.</summary>
    public void Clear()
    {
        Array.Clear(_ring);
        Array.Clear(_objects);
        _nextHandle = 1;
        _start = _count = 0;
        _dropped = 0;
    }

    internal void Add(in TraceEvent e)
        => Write(e.Step, e.Reason, e.Tasklet, e.Partner, e.Channel, e.Balance, e.ValueRef, e.ValueBits, e.ValueKind);

    /// <summary>An event with no partner and no value: a step beginning (no channel), a receive blocking.</summary>
    internal void Add(long step, TraceReason reason, Tasklet tasklet, ChannelBase? channel = null, int balance = 0)
        => Write(step, reason, tasklet, null, channel, balance, null, 0, TraceValueKind.Reference);

    /// <summary>An event carrying a value of type <typeparamref name="T"/> (a hand-off, a blocked send), primitives unboxed.</summary>
    internal void Add<T>(long step, TraceReason reason, Tasklet tasklet, Tasklet? partner, ChannelBase? channel, T value, int balance)
    {
        var kind = TraceEvent.Encode(value, out var bits, out var reference);
        Write(step, reason, tasklet, partner, channel, balance, reference, bits, kind);
    }

    /// <summary>
    /// Writes one event into its slot, field by field (inlined, so that a null argument costs nothing). The usual
    /// event names tasklets and a channel the recorder already knows; that path makes no call, so the method it is
    /// inlined into saves and restores no registers for it. An event naming something new goes to
    /// <see cref="WriteNamingNew"/>, called last, with nothing left to do after it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Write(long step, TraceReason reason, Tasklet tasklet, Tasklet? partner, ChannelBase? channel, int balance,
        object? valueRef, long valueBits, TraceValueKind valueKind)
    {
        var objects = _objects;
        var taskletHandle = tasklet.TraceHandle;
        var partnerHandle = partner is null ? 0 : partner.TraceHandle;
        var channelHandle = channel is null ? 0 : channel.TraceHandle;
        if (!Names(objects, taskletHandle, tasklet)
            || (partner is not null && !Names(objects, partnerHandle, partner))
            || (channel is not null && !Names(objects, channelHandle, channel)))
        {
            WriteNamingNew(step, reason, tasklet, partner, channel, balance, valueRef, valueBits, valueKind);
            return;
        }
        Fill(ref NextSlot(), step, reason, taskletHandle, partnerHandle, channelHandle, balance, valueRef, valueBits, valueKind);
    }

    /// <summary>True when <paramref name="handle"/>, remembered by <paramref name="o"/>, is still its handle here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Names(object?[] objects, int handle, object o)
        => (uint)handle < (uint)objects.Length && ReferenceEquals(objects[handle], o);

    /// <summary><see cref="Write"/> for an event that names a tasklet or channel without a valid handle here.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteNamingNew(long step, TraceReason reason, Tasklet tasklet, Tasklet? partner, ChannelBase? channel, int balance,
        object? valueRef, long valueBits, TraceValueKind valueKind)
    {
        if (_nextHandle > _objects.Length - HandlesPerEvent) Compact(); // before any handle of this event is taken
        var taskletHandle = HandleOf(tasklet, ref tasklet.TraceHandle);
        var partnerHandle = partner is null ? 0 : HandleOf(partner, ref partner.TraceHandle);
        var channelHandle = channel is null ? 0 : HandleOf(channel, ref channel.TraceHandle);
        Fill(ref NextSlot(), step, reason, taskletHandle, partnerHandle, channelHandle, balance, valueRef, valueBits, valueKind);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fill(ref Entry slot, long step, TraceReason reason, int tasklet, int partner, int channel, int balance,
        object? valueRef, long valueBits, TraceValueKind valueKind)
    {
        slot.Step = step;
        slot.Reason = reason;
        slot.Tasklet = tasklet;
        slot.Partner = partner;
        slot.Channel = channel;
        slot.Balance = balance;
        slot.ValueRef = valueRef;
        slot.ValueBits = valueBits;
        slot.ValueKind = valueKind;
    }

    /// <summary>The handle of <paramref name="o"/>: the one it remembers when still valid, else a new one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int HandleOf(object o, ref int remembered)
    {
        var h = remembered;
        if (Names(_objects, h, o)) return h;
        return remembered = NewHandle(o);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int NewHandle(object o)
    {
        Debug.Assert(_nextHandle < _objects.Length, "Write compacts before taking handles.");
        var h = _nextHandle++;
        _objects[h] = o;
        return h;
    }

    /// <summary>
    /// The handle table is full: keep only the objects that kept events name, numbered again in the order of their
    /// old handles (so each moves down, in place), and let the others be collected. The table grows when what is
    /// left would not leave room for as many new handles as there are kept events, so compacting costs a constant
    /// per new handle.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Compact()
    {
        var objects = _objects;
        if (_renumbered.Length < objects.Length) _renumbered = new int[objects.Length];
        var renumbered = _renumbered; // old handle -> new one; nonzero first only to mark the handles kept events name
        Array.Clear(renumbered);
        KeptEvents(out var older, out var newer);
        foreach (ref var e in older) renumbered[e.Tasklet] = renumbered[e.Partner] = renumbered[e.Channel] = 1;
        foreach (ref var e in newer) renumbered[e.Tasklet] = renumbered[e.Partner] = renumbered[e.Channel] = 1;
        var live = 0;
        for (var old = 1; old < objects.Length; old++)
        {
            var o = objects[old];
            objects[old] = null;
            if (renumbered[old] == 0) continue;
            renumbered[old] = ++live;
            objects[live] = o;
            if (o is Tasklet t) t.TraceHandle = live;
            else ((ChannelBase)o!).TraceHandle = live;
        }
        renumbered[0] = 0;
        foreach (ref var e in older) Renumber(ref e, renumbered);
        foreach (ref var e in newer) Renumber(ref e, renumbered);
        _nextHandle = live + 1;
        var needed = live + Math.Max(live, _count) + HandlesPerEvent + 1;
        if (needed > objects.Length)
            Array.Resize(ref _objects, (int)BitOperations.RoundUpToPowerOf2((uint)needed));
        AssertInvariants();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        KeptEvents(out var older, out var newer);
        foreach (ref var e in older) AssertNamesKnown(in e);
        foreach (ref var e in newer) AssertNamesKnown(in e);

        void AssertNamesKnown(in Entry e)
        {
            Debug.Assert(_objects[e.Tasklet] is Tasklet, "Every kept event names a tasklet.");
            Debug.Assert(e.Partner == 0 || _objects[e.Partner] is Tasklet, "A partner handle names a tasklet.");
            Debug.Assert(e.Channel == 0 || _objects[e.Channel] is ChannelBase, "A channel handle names a channel.");
            Debug.Assert(e.Tasklet < _nextHandle && e.Partner < _nextHandle && e.Channel < _nextHandle, "Handles are taken in order.");
        }
    }

    private static void Renumber(ref Entry e, int[] renumbered)
    {
        e.Tasklet = renumbered[e.Tasklet];
        e.Partner = renumbered[e.Partner];
        e.Channel = renumbered[e.Channel];
    }

    /// <summary>The kept events as two spans of the ring, oldest first: from the start to the end of the array, then
    /// from its beginning.</summary>
    private void KeptEvents(out Span<Entry> older, out Span<Entry> newer)
    {
        var tail = Math.Min(_count, _ring.Length - _start);
        older = _ring.AsSpan(_start, tail);
        newer = _ring.AsSpan(0, _count - tail);
    }

    /// <summary>The slot the next event goes to: past the last one, or over the oldest once the ring is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry NextSlot()
    {
        var ring = _ring;
        if (_count < ring.Length)
        {
            var at = _start + _count;
            if (at >= ring.Length) at -= ring.Length;
            _count++;
            Prefetch(ring, at);
            return ref ring[at];
        }
        var start = _start;
        _start = start + 1 == ring.Length ? 0 : start + 1;
        _dropped++;
        Prefetch(ring, start);
        return ref ring[start];
    }

    private const int PrefetchDistance = 16; // events ahead: 768 bytes, a dozen cache lines

    // The ring is larger than the L2 cache, so each slot written is a cache miss unless fetched ahead of time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(Entry[] ring, int at)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        var ahead = at + PrefetchDistance;
        if (ahead >= ring.Length) ahead -= ring.Length;
        if ((uint)ahead < (uint)ring.Length)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref ring[ahead])); // a hint: harmless if the GC moves the ring
    }
}
