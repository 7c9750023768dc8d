namespace StacklessInteractive;

/// <summary>
/// A tasklet blocked in a <see cref="Select"/>: the wait-queue entry of a select (Go's <c>sudog</c> of a select).
/// </summary>
/// <remarks>
/// <para>A tasklet links into one queue through its own <see cref="Tasklet.Next"/>, so a select that waits on several
/// channels queues a stand-in per case instead: a <see cref="Tasklet"/> object with the selecting tasklet's id,
/// <see cref="Tasklet.IsSelectCase"/> set and this wait as its body. Each stand-in counts in its channel's balance and
/// sits in its wait queue like any waiter, so balance, queue order and preference apply to it unchanged; views list
/// the selecting tasklet in its place.</para>
/// <para>Invariants: while the owner's Where is Select, every stand-in of a channel case is queued on its channel
/// (Where == Channel), and none has fired. When a partner takes one (<see cref="Fire"/>), every other stand-in is
/// withdrawn (its channel forgets the select) before the hand-off goes on as with a plain waiter.</para>
/// </remarks>
internal sealed class SelectWait
{
    public readonly Tasklet Owner;
    public readonly SelectCase[] Cases;
    private readonly Tasklet?[] _standIns;   // by case index; null for cases without a channel
    public int Fired = -1;

    public SelectWait(Tasklet owner, SelectCase[] cases)
    {
        Owner = owner;
        Cases = cases;
        _standIns = new Tasklet?[cases.Length];
        var waits = new List<BlockedTasklet>();
        for (var i = 0; i < cases.Length; i++)
        {
            if (cases[i].Channel is not { } channel) continue;
            var standIn = _standIns[i] = new Tasklet(this);
            cases[i].PutSendValue(standIn);
            waits.Add(new BlockedTasklet(owner, channel, cases[i].Direction));
        }
        Waits = waits;
    }

    /// <summary>Every channel the select waits on, with its direction.</summary>
    public IReadOnlyList<BlockedTasklet> Waits { get; }

    /// <summary>Queues every stand-in: the select now waits on all its channels.</summary>
    public void Enqueue()
    {
        for (var i = 0; i < Cases.Length; i++)
            if (_standIns[i] is { } standIn) Cases[i].Channel!.EnqueueSelectCase(standIn, Cases[i].Direction);
        Owner.Where = Where.Select;
        Owner.WaitingOn = this;
    }

    /// <summary>
    /// A partner popped <paramref name="standIn"/> from its channel (balance already moved): its case fires, the other
    /// stand-ins are withdrawn, and the selecting tasklet takes the hand-off in its place (a send case's value with it).
    /// </summary>
    public static Tasklet Fire(Tasklet standIn)
    {
        var wait = (SelectWait)standIn.Body!;
        var owner = wait.Owner;
        Debug.Assert(owner.Where == Where.Select && wait.Fired < 0, "A select fires once, while it waits.");
        wait.Fired = Array.IndexOf(wait._standIns, standIn);
        if (standIn.Direction > 0) owner.TakeTransitFrom(standIn);
        standIn.Where = Where.Nowhere;
        standIn.Direction = 0;
        wait.Withdraw(fired: standIn);
        return owner;
    }

    /// <summary>Takes every stand-in but <paramref name="fired"/> out of its channel (all of them when the select is killed or thrown into).</summary>
    public void Withdraw(Tasklet? fired)
    {
        for (var i = 0; i < _standIns.Length; i++)
            if (_standIns[i] is { Where: Where.Channel } standIn && standIn != fired)
                ((ChannelBase)standIn.WaitingOn!).WithdrawSelectCase(standIn);
        Owner.Where = Where.Nowhere;
    }
}
