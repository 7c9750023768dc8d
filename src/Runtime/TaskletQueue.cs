namespace StacklessInteractive;

/// <summary>
/// A FIFO of tasklets linked through the tasklets themselves (<see cref="Tasklet.Next"/>), as Stackless links
/// them: the scheduler's run queue and every channel's wait queue are one of these.
/// </summary>
/// <remarks>
/// <para>A tasklet is in at most one queue at a time (it is runnable or blocked, never both), so one link per
/// tasklet serves both and queueing never allocates. Callers own the tasklet's <see cref="Tasklet.Where"/>
/// field; this type only links and unlinks.</para>
/// <para>The list is singly linked on purpose: the hot operations (append, pop and push at the front) need only
/// the forward link, and every reference written to the heap costs a GC write barrier, which is a good part of
/// a hand-off. Removing from the middle (a kill, <see cref="Tasklet.Remove"/>) walks the queue instead.</para>
/// </remarks>
internal struct TaskletQueue
{
    // Invariant: _head is null when empty; _tail is null when at most one tasklet is queued (the tail is then the
    // head), else the last tasklet. So joining an empty queue, what a blocking channel operation does, writes one
    // reference instead of two.
    private Tasklet? _head;
    private Tasklet? _tail;

    /// <summary>Walks the queue: counts are for views and reports, never on the hot path (a channel's balance
    /// already says how many wait, and a queue's emptiness is <see cref="First"/> being null).</summary>
    public readonly int Count
    {
        get
        {
            var n = 0;
            for (var x = _head; x is not null; x = x.Next) n++;
            return n;
        }
    }
    public readonly Tasklet? First => _head;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(Tasklet t)
    {
        Debug.Assert(t.Next is null && _tail != t && _head != t, "A tasklet is in one queue at a time.");
        if (_head is null) { _head = t; return; }
        (_tail ?? _head).Next = t;
        _tail = t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PushFront(Tasklet t)
    {
        Debug.Assert(t.Next is null && _tail != t && _head != t, "A tasklet is in one queue at a time.");
        if (_head is not null)
        {
            _tail ??= _head;
            t.Next = _head;
        }
        _head = t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Tasklet? PopFront()
    {
        var t = _head;
        if (t is null) return null;
        var next = t.Next;
        if (next is null) _head = null;
        else
        {
            _head = next;
            t.Next = null;
            if (next == _tail) _tail = null;
        }
        return t;
    }

    /// <summary>Unlinks <paramref name="t"/>, which must be in this queue.</summary>
    public void Remove(Tasklet t)
    {
        Tasklet? previous = null;
        var x = _head;
        while (x is not null && x != t) { previous = x; x = x.Next; }
        Debug.Assert(x == t, "Remove takes a tasklet of this queue.");
        if (x is null) return;
        if (previous is null) _head = t.Next; else previous.Next = t.Next;
        if (_tail == t) _tail = previous;
        if (_tail == _head) _tail = null; // one left (or none)
        t.Next = null;
    }

    public readonly bool Contains(Tasklet t)
    {
        for (var x = _head; x is not null; x = x.Next) if (x == t) return true;
        return false;
    }

    public readonly List<Tasklet> ToList()
    {
        var list = new List<Tasklet>();
        for (var x = _head; x is not null; x = x.Next) list.Add(x);
        return list;
    }
}
