using System.Runtime.ExceptionServices;

namespace StacklessInteractive;

/// <summary>
/// What every channel has whatever it carries: balance, preference, flags and the wait queue. Views and
/// deadlock reports read channels through this type.
/// </summary>
/// <remarks>
/// <para>Invariants (asserted in debug builds by <see cref="AssertInvariants"/>):</para>
/// <list type="bullet">
/// <item><c>Balance &gt; 0</c>: that many senders wait; <c>Balance &lt; 0</c>: that many receivers wait;
/// |Balance| equals the length of the wait queue.</item>
/// <item>All waiters wait in the same direction, the sign of Balance, and each knows it is blocked on this
/// channel (Where == Channel, WaitingOn == this).</item>
/// <item>Preference is -1, 0 or 1.</item>
/// </list>
/// </remarks>
public abstract class ChannelBase
{
    internal readonly Scheduler Scheduler;
    private protected TaskletQueue _waiters;
    private protected int _balance;        // > 0: senders waiting; < 0: receivers waiting
    private protected sbyte _preference = -1;
    private protected bool _scheduleAll;
    private protected bool _closing;
    private readonly int _id;              // the name, when set, lives in the scheduler (Scheduler.NameOf)
    internal int TraceHandle;              // its number in the trace recorder that last recorded it (TraceRecorder)

    private protected ChannelBase(Scheduler? scheduler, string? name)
    {
        Scheduler = scheduler ?? Scheduler.Default;
        _id = Scheduler.NextChannelId();
        if (name is not null) Scheduler.SetName(this, name);
        Scheduler.Track(this);
    }

    /// <summary>A number unique in its scheduler, in creation order.</summary>
    public int Id => _id;

    /// <summary>A name for views and messages; defaults to <c>channel#Id</c>, and setting null goes back to that.</summary>
    public string Name { get => Scheduler.NameOf(this) ?? "channel#" + _id; set => Scheduler.SetName(this, value); }

    /// <summary>The scheduler whose tasklets use this channel.</summary>
    public Scheduler Owner => Scheduler;

    /// <summary>The type of value this channel carries.</summary>
    public abstract Type ElementType { get; }

    /// <summary>Senders waiting (positive) or receivers waiting (negative).</summary>
    public int Balance => _balance;

    /// <summary>The first waiting tasklet, or null (Stackless's <c>queue</c>).</summary>
    public Tasklet? Queue => _waiters.First?.Waiter;

    /// <summary>The waiting tasklets in order, first to be served first (a tasklet blocked in a select is listed on each of its channels).</summary>
    public IReadOnlyList<Tasklet> Waiters => WaiterList();

    private List<Tasklet> WaiterList() => _waiters.ToList().ConvertAll(t => t.Waiter);

    /// <summary>Queues the stand-in of a select's case: the select waits here too (see <see cref="SelectWait"/>).</summary>
    internal void EnqueueSelectCase(Tasklet standIn, int direction)
    {
        AssertInvariants();
        standIn.WaitingOn = this;
        standIn.Direction = (sbyte)direction;
        standIn.Where = Where.Channel;
        _waiters.Append(standIn);
        _balance += direction;
        Scheduler.Trace?.Add(new TraceEvent(Scheduler.Steps, direction > 0 ? TraceReason.BlockSend : TraceReason.BlockReceive,
            standIn.Waiter, Channel: this, Balance: _balance));
    }

    /// <summary>Takes a select's stand-in out: another case fired, or the select was killed or thrown into.</summary>
    internal void WithdrawSelectCase(Tasklet standIn)
    {
        AssertInvariants();
        _waiters.Remove(standIn);
        _balance -= standIn.Direction;
        standIn.ClearTransit();
        standIn.Where = Where.Nowhere;
        Scheduler.Trace?.Add(new TraceEvent(Scheduler.Steps, TraceReason.Unblock, standIn.Waiter, Channel: this, Balance: _balance));
        Scheduler.Touched(this);
    }

    /// <summary>
    /// Who runs on a hand-off: -1 the receiver (default), 1 the sender, 0 neither (the caller continues and
    /// the partner is queued). Values outside -1..1 are clamped.
    /// </summary>
    public int Preference
    {
        get => _preference;
        set => _preference = (sbyte)Math.Clamp(value, -1, 1);
    }

    /// <summary>When true every operation that finds a partner yields: the partner and then the caller are queued.</summary>
    public bool ScheduleAll { get => _scheduleAll; set => _scheduleAll = value; }

    /// <summary>True after <see cref="Close"/>: operations that would block raise <see cref="ChannelClosedException"/>.</summary>
    public bool Closing => _closing;

    /// <summary>True when closing and no tasklet waits (Stackless's <c>closed</c>).</summary>
    public bool Closed => _closing && _balance == 0;

    /// <summary>
    /// Marks the channel as closing (Stackless's <c>close</c>): waiting tasklets stay and can still be served,
    /// but an operation that would block raises, and iteration ends once no sender waits.
    /// </summary>
    public void Close()
    {
        _closing = true;
        Scheduler.Touched(this);
        Scheduler.Trace?.Add(new TraceEvent(Scheduler.Steps, TraceReason.ChannelClose, Scheduler.Current, Channel: this, Balance: _balance));
    }

    /// <summary>Reopens a closing channel (Stackless's <c>open</c>).</summary>
    public void Open()
    {
        _closing = false;
        Scheduler.Touched(this);
        Scheduler.Trace?.Add(new TraceEvent(Scheduler.Steps, TraceReason.ChannelOpen, Scheduler.Current, Channel: this, Balance: _balance));
    }

    /// <summary>Stackless's flags word: bit 0 closing, bits 1-2 preference (-1 stored as 3), bit 3 schedule_all.</summary>
    public int Flags => (_closing ? 1 : 0) | ((_preference & 3) << 1) | (_scheduleAll ? 8 : 0);

    /// <summary>The state as Stackless's <c>__reduce__</c> gives it: balance, flags and the blocked tasklets.</summary>
    public ChannelSnapshot Reduce() => new(this, _balance, Flags, Preference, _closing, Closed, _scheduleAll, WaiterList());

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (balance {_balance})";

    /// <summary>Takes a waiter out (kill, throw, or main giving up): the balance moves back toward 0.</summary>
    internal void RemoveWaiter(Tasklet t)
    {
        AssertInvariants();
        Scheduler.Touched(this);
        Scheduler.Trace?.Add(new TraceEvent(Scheduler.Steps, TraceReason.Unblock, t, Channel: this, Balance: _balance - t.Direction));
        _waiters.Remove(t);
        _balance -= t.Direction;
        if (t.Direction > 0) ForgetSentValue(t); // a sender taken out must not carry its value to its next receive
        t.WaitingOn = null;
        t.Direction = 0;
        t.Where = Where.Nowhere;
    }

    /// <summary>Clears the value (or exception) a blocked sender carried for a receiver that never came.</summary>
    private protected abstract void ForgetSentValue(Tasklet sender);

    /// <summary>The value a blocked sender carries, boxed, left in place (its <see cref="Tasklet.TempVal"/>).</summary>
    internal abstract object? SentValueOf(Tasklet sender);

    [Conditional("DEBUG")]
    private protected void AssertInvariants()
    {
        Debug.Assert(Math.Abs(_balance) == _waiters.Count, "|balance| is the number of waiters.");
        for (var t = _waiters.First; t is not null; t = t.Next)
        {
            Debug.Assert(t.Where == Where.Channel && t.WaitingOn == this, "A waiter knows its channel.");
            Debug.Assert(t.Direction == Math.Sign(_balance), "All waiters wait in the balance's direction.");
        }
        Debug.Assert(_preference is >= -1 and <= 1, "Preference is -1, 0 or 1.");
    }
}

/// <summary>
/// An unbuffered, synchronous, bidirectional channel carrying values of type <typeparamref name="T"/>: a
/// send waits for a receiver and a receive for a sender. Stackless's <c>channel</c>.
/// </summary>
/// <remarks>
/// Send and receive are one routine, <see cref="Act"/>, parameterised by direction (+1 send, -1 receive), so
/// the two can never disagree. When the partner is already waiting the value is handed over directly, with
/// no allocation; the channel's <see cref="ChannelBase.Preference"/> then decides who runs.
/// </remarks>
public class Channel<T> : ChannelBase
{
    /// <summary>Creates a channel on <paramref name="scheduler"/> (the default scheduler when null).</summary>
    public Channel(Scheduler? scheduler = null, string? name = null) : base(scheduler, name) { }

    /// <inheritdoc/>
    public override Type ElementType => typeof(T);

    private protected override void ForgetSentValue(Tasklet sender)
    {
        if (sender.HasError) sender.TakeError();
        else sender.TakeRawValue<T>();
    }

    internal override object? SentValueOf(Tasklet sender) => sender.PeekRawValue<T>();

    /// <summary>Sends <paramref name="value"/>; waits for a receiver when none waits.</summary>
    public Operation Send(T value) => Act(+1, value, null).AsOperation();

    /// <summary>A case of <see cref="Select.From"/>: receive from this channel.</summary>
    public SelectCase Receiving() => new SelectCase<T>(this, -1, default!);

    /// <summary>A case of <see cref="Select.From"/>: send <paramref name="value"/> on this channel.</summary>
    public SelectCase Sending(T value) => new SelectCase<T>(this, +1, value);

    /// <summary>Receives a value; waits for a sender when none waits. An exception sent instead is raised here.</summary>
    public Operation<T> Receive() => Act(-1, default!, null);

    /// <summary>Sends an exception that the receiver raises instead of receiving a value (Stackless's <c>send_exception</c>).</summary>
    public Operation SendException(Exception exception)
        => Act(+1, default!, exception ?? throw new ArgumentNullException(nameof(exception))).AsOperation();

    /// <summary>
    /// Like <see cref="SendException"/>, but the receiver rethrows it with its original stack trace
    /// (Stackless's <c>send_throw</c>).
    /// </summary>
    public Operation SendThrow(Exception exception)
        => Act(+1, default!, ExceptionDispatchInfo.Capture(exception ?? throw new ArgumentNullException(nameof(exception)))).AsOperation();

    /// <summary>Sends every value of <paramref name="values"/> in order; returns how many were sent (Stackless's <c>send_sequence</c>).</summary>
    public async Task<int> SendSequence(IEnumerable<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var count = 0;
        foreach (var value in values)
        {
            await Send(value);
            count++;
        }
        return count;
    }

    /// <summary>
    /// Iterates with <c>await foreach</c>: each step receives. It ends when a <see cref="StopIteration"/> is sent
    /// through the channel, or when the channel is closing and no sender waits.
    /// </summary>
    public Enumerator GetAsyncEnumerator() => new(this);

    /// <summary>
    /// For the main tasklet: <c>foreach (var x in ch.Values)</c> receives like <c>for x in ch</c>, each receive running
    /// the other tasklets until a value comes (as main's other operations do). It ends as <c>await foreach</c> does: a
    /// <see cref="StopIteration"/> sent through the channel, or the channel closing with no sender waiting. A tasklet
    /// iterates with <c>await foreach</c> instead.
    /// </summary>
    /// <exception cref="InvalidOperationException">Iterated by a tasklet.</exception>
    public IEnumerable<T> Values
    {
        get
        {
            while (!(_closing && _balance <= 0))
            {
                if (!Scheduler.Current.IsMain)
                    throw new InvalidOperationException($"Values is for the main tasklet; {Scheduler.Current.Name} iterates with await foreach.");
                T value;
                try { value = Receive().Value; }
                catch (StopIteration) { yield break; }
                yield return value;
            }
        }
    }

    /// <summary>A send (<paramref name="direction"/> +1) or receive (-1) by whoever is current.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Operation<T> Act(int direction, T value, object? error)
    {
        var scheduler = Scheduler;
        if (!scheduler.StepRunsHere()) return ActOutsideStep(scheduler, direction, value, error);
        return ActInStep(scheduler, scheduler.Current, direction, value, error); // the stepping tasklet, never main
    }

    /// <summary>An operation outside a step of this thread: main's, or a tasklet's from the wrong place (an error).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Operation<T> ActOutsideStep(Scheduler scheduler, int direction, T value, object? error)
    {
        scheduler.CheckNotReplaced(this); // its scheduler never steps again: every operation comes here
        var caller = scheduler.Current;
        if (caller.IsMain) return ActAsMain(scheduler, caller, direction, value, error);
        if (!scheduler.StepRunsOnThisThread()) throw Scheduler.NotRunning(caller);
        return ActInStep(scheduler, caller, direction, value, error); // a body further down the stack than the compare sees
    }

    /// <summary>A tasklet's operation in its step: switches it away unless it completes at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Operation<T> ActInStep(Scheduler scheduler, Tasklet caller, int direction, T value, object? error)
    {
        if (caller.SuspendPending) scheduler.BeginSuspend(caller); // throws: the previous operation was not awaited
        if (Transfer(scheduler, caller, direction, value, error, out var received)) return new Operation<T>(received);
        caller.SuspendPending = true; // cleared when the body's await registers its resume point
        return Operation<T>.Suspended(scheduler);
    }

    /// <summary>Main's operations complete before they return: main waits in the loop for its turn.</summary>
    private Operation<T> ActAsMain(Scheduler scheduler, Tasklet main, int direction, T value, object? error)
    {
        scheduler.Enter();
        try
        {
            if (Transfer(scheduler, main, direction, value, error, out var received)) return new Operation<T>(received);
            scheduler.MainWait();
            return direction < 0 ? new Operation<T>(main.TakeValue<T>()) : new Operation<T>(default(T)!);
        }
        finally
        {
            scheduler.Exit();
        }
    }

    /// <summary>
    /// The one code path of send (<paramref name="direction"/> +1) and receive (-1), for main and tasklets alike.
    /// A partner waiting: hand over directly, then by schedule_all or preference either switch or continue.
    /// No partner: the caller joins the wait queue, after the block trap, closing and deadlock checks.
    /// Returns true when the caller continues (a received value in <paramref name="received"/>), false when it
    /// switched away (queued behind its partner, or blocked); a value received then waits in the tasklet.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Transfer(Scheduler scheduler, Tasklet caller, int direction, T value, object? error, out T received)
    {
        AssertInvariants();
        received = default!;
        if (scheduler.ObservesChannels) NotifyChannel(scheduler, caller, direction, value, error);
        if (direction > 0 ? _balance < 0 : _balance > 0) // a partner waits
        {
            // Direct hand-off: the first waiter (FIFO) is the partner; the value passes through the receiver.
            var partner = _waiters.PopFront()!;
            _balance += direction;
            if (partner.IsSelectCase) partner = SelectWait.Fire(partner); // the selecting tasklet takes this case, withdraws the others
            partner.Direction = 0; // WaitingOn stays: see Tasklet.WaitingOn
            object? receivedError = null;
            if (direction > 0)
            {
                if (error is null) partner.PutValue(value);
                else partner.PutError(error);
            }
            else if (partner.HasError) receivedError = partner.TakeError();
            else received = partner.TakeRawValue<T>();
            if (scheduler.Trace is not null) TraceHandOff(scheduler, caller, partner, direction, direction > 0 ? value : received, direction > 0 ? error : receivedError);

            if (_scheduleAll) scheduler.PlaceYieldBehind(caller, partner);
            else if (_preference == -direction) scheduler.PlacePreferenceSwitch(caller, partner);
            else
            {
                scheduler.MakeRunnable(partner);
                if (receivedError is not null) Tasklet.Raise(receivedError);
                return true;
            }
            if (direction < 0)
            {
                if (receivedError is null) caller.PutValue(received);
                else caller.PutError(receivedError);
            }
            return false;
        }

        if (caller.BlockTrap) ThrowBlockTrap();
        if (_closing) ThrowClosed();
        scheduler.CheckCanLeaveRing(caller, error);
        if (direction > 0)
        {
            if (error is null) caller.PutValue(value);
            else caller.PutError(error);
        }
        _balance += direction;
        if (!ReferenceEquals(caller.WaitingOn, this)) caller.WaitingOn = this; // usually it is: no write barrier
        caller.Direction = (sbyte)direction;
        caller.Where = Where.Channel;
        _waiters.Append(caller);
        if (scheduler.Trace is not null) TraceBlock(scheduler, caller, direction, value, error);
        return false;
    }

    /// <summary>
    /// What every channel operation does first while a channel callback is set or the switch trap is on (one flag on
    /// the hot path for both): the callback, which sees the value being sent as the caller's tempval, then the trap,
    /// which refuses an operation that would switch (block, or hand off to a preferred partner or with schedule_all).
    /// A would-be block leaves the block trap and closing errors to their own checks, which come first in Stackless.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void NotifyChannel(Scheduler scheduler, Tasklet caller, int direction, T value, object? error)
    {
        var willBlock = direction > 0 ? _balance >= 0 : _balance <= 0;
        if (scheduler.ChannelCallback is { } callback)
        {
            object? sent = direction < 0 ? null : error is null ? value : ErrorOf(error);
            scheduler.NotifyChannel(callback, this, caller, direction > 0, willBlock, sent);
        }
        if (scheduler.SwitchTrap > 0 && (willBlock ? !caller.BlockTrap && !_closing : _scheduleAll || _preference == -direction))
            throw Scheduler.SwitchTrapped();
    }

    // The trace's hand-off and block events: out of line, and the rare exception case out of line again, so that
    // the common one (a value) makes no TraceEvent on the stack for its prologue to clear.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TraceHandOff(Scheduler scheduler, Tasklet caller, Tasklet partner, int direction, T value, object? error)
    {
        var (sender, receiver) = direction > 0 ? (caller, partner) : (partner, caller);
        if (error is null) scheduler.Trace!.Add(scheduler.Steps, TraceReason.HandOff, sender, receiver, this, value, _balance);
        else TraceError(scheduler, TraceReason.HandOff, sender, receiver, error);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TraceBlock(Scheduler scheduler, Tasklet caller, int direction, T value, object? error)
    {
        var trace = scheduler.Trace!;
        if (direction < 0) trace.Add(scheduler.Steps, TraceReason.BlockReceive, caller, this, _balance);
        else if (error is null) trace.Add(scheduler.Steps, TraceReason.BlockSend, caller, null, this, value, _balance);
        else TraceError(scheduler, TraceReason.BlockSend, caller, null, error);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TraceError(Scheduler scheduler, TraceReason reason, Tasklet tasklet, Tasklet? partner, object error)
        => scheduler.Trace!.Add(new TraceEvent(scheduler.Steps, reason, tasklet, partner, this, ErrorOf(error), _balance));

    private static Exception ErrorOf(object error) => error is ExceptionDispatchInfo edi ? edi.SourceException : (Exception)error;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBlockTrap() => throw new InvalidOperationException("this tasklet does not like to be blocked.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowClosed() => throw new ChannelClosedException();

    /// <summary>The <c>await foreach</c> enumerator of a channel (one small object per loop).</summary>
    public sealed class Enumerator
    {
        private readonly Channel<T> _channel;

        internal Enumerator(Channel<T> channel) => _channel = channel;

        /// <summary>The value received by the last <see cref="MoveNextAsync"/>.</summary>
        public T Current { get; internal set; } = default!;

        /// <summary>Receives the next value; false once the iteration has ended.</summary>
        public IterationOperation MoveNextAsync()
        {
            if (_channel._closing && _channel._balance <= 0) return new IterationOperation(this, default, done: true);
            try
            {
                var receive = _channel.Receive();
                if (receive.IsCompleted) Current = receive.GetResult();
                return new IterationOperation(this, receive, done: false);
            }
            catch (StopIteration)
            {
                return new IterationOperation(this, default, done: true);
            }
        }

        /// <summary>Nothing to release.</summary>
        public ValueTask DisposeAsync() => default;
    }

    /// <summary>What <see cref="Enumerator.MoveNextAsync"/> returns: the receive, with <see cref="StopIteration"/> meaning "no more".</summary>
    public readonly struct IterationOperation : ICriticalNotifyCompletion, IStacklessAwaiter
    {
        private readonly Enumerator _enumerator;
        private readonly Operation<T> _receive;
        private readonly bool _done;

        internal IterationOperation(Enumerator enumerator, Operation<T> receive, bool done)
        {
            _enumerator = enumerator;
            _receive = receive;
            _done = done;
        }

        Tasklet? IStacklessAwaiter.Suspended => _done ? null : _receive.SuspendedTasklet;

        /// <summary>Awaiter pattern.</summary>
        public IterationOperation GetAwaiter() => this;

        /// <summary>True when no switch was needed.</summary>
        public bool IsCompleted => _done || _receive.IsCompleted;

        /// <summary>True when a value was received into <see cref="Enumerator.Current"/>.</summary>
        public bool GetResult()
        {
            if (_done) return false;
            if (_receive.IsCompleted) return true;
            try
            {
                _enumerator.Current = _receive.GetResult();
                return true;
            }
            catch (StopIteration)
            {
                return false;
            }
        }

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => _receive.OnCompleted(continuation);

        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation) => _receive.UnsafeOnCompleted(continuation);
    }
}

/// <summary>
/// A channel carrying any value, as Stackless's channels do: numbers, strings, tuples, other channels.
/// The talk's examples use this one.
/// </summary>
public class Channel : Channel<object?>
{
    /// <summary>Creates a channel on <paramref name="scheduler"/> (the default scheduler when null).</summary>
    public Channel(Scheduler? scheduler = null, string? name = null) : base(scheduler, name) { }
}

/// <summary>A channel's state as Stackless's <c>__reduce__</c> shows it, plus the decoded flags.</summary>
/// <param name="Channel">The channel.</param>
/// <param name="Balance">Senders (positive) or receivers (negative) waiting.</param>
/// <param name="Flags">Stackless's flags word.</param>
/// <param name="Preference">-1, 0 or 1.</param>
/// <param name="Closing">Close() was called.</param>
/// <param name="Closed">Closing and nobody waits.</param>
/// <param name="ScheduleAll">Every operation yields.</param>
/// <param name="Queue">The waiting tasklets, first first.</param>
public sealed record ChannelSnapshot(ChannelBase Channel, int Balance, int Flags, int Preference, bool Closing, bool Closed,
    bool ScheduleAll, IReadOnlyList<Tasklet> Queue)
{
    /// <summary>Stackless's format: <c>(balance, flags, [tasklets])</c>.</summary>
    public override string ToString() => $"({Balance}, {Flags}, [{string.Join(", ", Queue.Select(t => t.Name))}])";
}
