namespace StacklessInteractive;

/// <summary>
/// A FIFO of tasklets linked through the tasklets themselves (<see cref="Tasklet.Next"/>/<see cref="Tasklet.Prev"/>),
/// as Stackless links them: the scheduler's run queue and every channel's wait queue are one of these.
/// </summary>
/// <remarks>
/// A tasklet is in at most one queue at a time (it is runnable or blocked, never both), so one pair of
/// links per tasklet serves both and queueing never allocates. Callers own the tasklet's
/// <see cref="Tasklet.Where"/> field; this type only links and unlinks.
/// </remarks>
internal struct TaskletQueue
{
    private Tasklet? _head;
    private Tasklet? _tail;
    private int _count;

    public readonly int Count => _count;
    public readonly Tasklet? First => _head;
    public readonly Tasklet? Last => _tail;

    public void Append(Tasklet t)
    {
        Debug.Assert(t.Next is null && t.Prev is null && _head != t, "A tasklet is in one queue at a time.");
        t.Prev = _tail;
        if (_tail is null) _head = t; else _tail.Next = t;
        _tail = t;
        _count++;
    }

    public void PushFront(Tasklet t)
    {
        Debug.Assert(t.Next is null && t.Prev is null && _head != t, "A tasklet is in one queue at a time.");
        t.Next = _head;
        if (_head is null) _tail = t; else _head.Prev = t;
        _head = t;
        _count++;
    }

    public Tasklet? PopFront()
    {
        var t = _head;
        if (t is null) return null;
        _head = t.Next;
        if (_head is null) _tail = null; else _head.Prev = null;
        t.Next = null;
        _count--;
        return t;
    }

    /// <summary>Unlinks <paramref name="t"/>, which must be in this queue.</summary>
    public void Remove(Tasklet t)
    {
        Debug.Assert(Contains(t), "Remove takes a tasklet of this queue.");
        if (t.Prev is null) _head = t.Next; else t.Prev.Next = t.Next;
        if (t.Next is null) _tail = t.Prev; else t.Next.Prev = t.Prev;
        t.Next = t.Prev = null;
        _count--;
    }

    public readonly bool Contains(Tasklet t)
    {
        for (var x = _head; x is not null; x = x.Next) if (x == t) return true;
        return false;
    }

    public readonly List<Tasklet> ToList()
    {
        var list = new List<Tasklet>(_count);
        for (var x = _head; x is not null; x = x.Next) list.Add(x);
        return list;
    }
}
