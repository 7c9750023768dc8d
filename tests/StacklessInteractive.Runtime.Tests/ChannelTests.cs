using System.Runtime.CompilerServices;

namespace StacklessInteractive.Tests;

/// <summary>Channels: balance, queue, preference, schedule_all, exceptions, sequences, iteration, close/open, flags, block_trap.</summary>
public class ChannelTests
{
    // ---- balance and queue --------------------------------------------------------------------

    [Fact]
    public void Balance_IsMinusTheNumberOfWaitingReceivers_AndQueueIsTheFirst()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        Assert.Equal(0, ch.Balance);
        Assert.Null(ch.Queue);
        var r1 = s.Spawn(async () => { await ch.Receive(); });
        var r2 = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        Assert.Equal(-2, ch.Balance);
        Assert.Same(r1, ch.Queue);
        Assert.Equal(new[] { r1, r2 }, ch.Waiters);
        Assert.Same(r2, r1.NextInQueue);

        ch.Send("a");
        Assert.False(r1.Alive);
        Assert.Equal(-1, ch.Balance);
        Assert.Same(r2, ch.Queue);
        ch.Send("b");
        Assert.Equal(0, ch.Balance);
        Assert.Null(ch.Queue);
        Assert.Empty(ch.Waiters);
    }

    [Fact]
    public void Balance_IsPlusTheNumberOfWaitingSenders_ServedInFifoOrder()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var s1 = s.Spawn(async () => { await ch.Send("s1"); });
        var s2 = s.Spawn(async () => { await ch.Send("s2"); });
        s.Run();
        Assert.Equal(2, ch.Balance);
        Assert.Same(s1, ch.Queue);
        Assert.Equal("s1", ch.Receive().Value);
        Assert.Equal(1, ch.Balance);
        Assert.Same(s2, ch.Queue);
        Assert.Equal(TaskletState.Runnable, s1.State); // a receiver does not switch by default
        Assert.Equal("s2", ch.Receive().Value);
        Assert.Equal(0, ch.Balance);
    }

    [Theory]
    [InlineData(-1, -1)]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(5, 1)]
    [InlineData(-7, -1)]
    [InlineData(int.MaxValue, 1)]
    [InlineData(int.MinValue, -1)]
    public void Preference_IsClampedToMinusOneOne(int set, int expected)
    {
        var ch = new Channel(new Scheduler()) { Preference = set };
        Assert.Equal(expected, ch.Preference);
    }

    [Fact]
    public void Preference_DefaultsToMinusOne_AndScheduleAllToFalse()
    {
        var ch = new Channel(new Scheduler());
        Assert.Equal(-1, ch.Preference);
        Assert.False(ch.ScheduleAll);
        Assert.False(ch.Closing);
        Assert.False(ch.Closed);
    }

    // ---- who runs after a hand-off ----------------------------------------------------------

    /// <summary>
    /// A receiver blocks, a sender hands it a value while a bystander X is runnable; the log shows who ran when.
    /// </summary>
    private static List<string> SendToWaitingReceiver(int preference, bool scheduleAll)
    {
        var s = new Scheduler();
        var ch = new Channel(s) { Preference = preference, ScheduleAll = scheduleAll };
        var log = new List<string>();
        s.Spawn(async () => { log.Add("R got " + await ch.Receive()); });
        s.Spawn(async () => { log.Add("S sending"); await ch.Send(1); log.Add("S sent"); });
        s.SpawnAction(() => log.Add("X"));
        s.Run();
        return log;
    }

    /// <summary>A sender blocks, a receiver takes the value while a bystander X is runnable.</summary>
    private static List<string> ReceiveFromWaitingSender(int preference, bool scheduleAll)
    {
        var s = new Scheduler();
        var ch = new Channel(s) { Preference = preference, ScheduleAll = scheduleAll };
        var log = new List<string>();
        s.Spawn(async () => { log.Add("S sending"); await ch.Send(1); log.Add("S sent"); });
        s.Spawn(async () => { log.Add("R receiving"); log.Add("R got " + await ch.Receive()); });
        s.SpawnAction(() => log.Add("X"));
        s.Run();
        return log;
    }

    [Fact]
    public void Send_DefaultPreference_SwitchesToTheReceiver_AndTheSenderGoesLast()
        => Assert.Equal(new[] { "S sending", "R got 1", "X", "S sent" }, SendToWaitingReceiver(-1, false));

    [Fact]
    public void Send_PreferenceZero_SenderContinues_ReceiverQueuedAtTheTail()
        => Assert.Equal(new[] { "S sending", "S sent", "X", "R got 1" }, SendToWaitingReceiver(0, false));

    [Fact]
    public void Send_PreferenceOne_SenderContinues()
        => Assert.Equal(new[] { "S sending", "S sent", "X", "R got 1" }, SendToWaitingReceiver(1, false));

    [Fact]
    public void Receive_DefaultPreference_ReceiverContinues_SenderQueuedAtTheTail()
        => Assert.Equal(new[] { "S sending", "R receiving", "R got 1", "X", "S sent" }, ReceiveFromWaitingSender(-1, false));

    [Fact]
    public void Receive_PreferenceOne_SwitchesToTheSender_AndTheReceiverGoesLast()
        => Assert.Equal(new[] { "S sending", "R receiving", "S sent", "X", "R got 1" }, ReceiveFromWaitingSender(1, false));

    [Fact]
    public void ScheduleAll_Send_QueuesThePartnerThenTheCallerBehindTheOthers()
        => Assert.Equal(new[] { "S sending", "X", "R got 1", "S sent" }, SendToWaitingReceiver(-1, true));

    [Fact]
    public void ScheduleAll_Receive_QueuesThePartnerThenTheCallerBehindTheOthers()
        => Assert.Equal(new[] { "S sending", "R receiving", "X", "S sent", "R got 1" }, ReceiveFromWaitingSender(-1, true));

    [Fact]
    public void ScheduleAll_OverridesPreference()
        => Assert.Equal(SendToWaitingReceiver(-1, true), SendToWaitingReceiver(0, true));

    // ---- exceptions through channels ------------------------------------------------------

    [Fact]
    public void SendException_RaisesTheExceptionInTheReceiver()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        Exception? caught = null;
        var log = new List<string>();
        async TaskletBody Receiver()
        {
            try { await ch.Receive(); log.Add("value"); }
            catch (TestError e) { caught = e; log.Add("caught"); }
        }
        s.Spawn(Receiver);
        async TaskletBody Sender() { var error = new TestError("sent"); await ch.SendException(error); log.Add("sender continues"); }
        s.Spawn(Sender);
        s.Run();
        Assert.IsType<TestError>(caught);
        Assert.Equal("sent", caught.Message);
        Assert.Equal(new[] { "caught", "sender continues" }, log);
        Assert.Equal(0, ch.Balance);
    }

    [Fact]
    public void SendException_ToABlockedMainReceive_RaisesInMain()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var error = new TestError("to main");
        s.Spawn(async () => { await ch.SendException(error); });
        var e = Assert.Throws<TestError>(() => ch.Receive());
        Assert.Same(error, e);
        Assert.Equal(0, ch.Balance);
        Assert.Same(s.Main, s.Current);
    }

    [Fact]
    public void SendException_FromABlockedSender_IsRaisedWhenMainReceives()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var error = new TestError("queued");
        var sender = s.Spawn(async () => { await ch.SendException(error); });
        Assert.Same(error, Assert.Throws<TestError>(() => s.Run())); // revived, Run() raises a copy (issue 17)
        Assert.Equal(1, ch.Balance);
        var e = Assert.Throws<TestError>(() => ch.Receive());
        Assert.Same(error, e);
        Assert.Equal(0, ch.Balance);
        Assert.Equal(TaskletState.Runnable, sender.State);
    }

    [Fact]
    public void SendException_ThatTheReceiverDoesNotCatch_KillsItAndComesOutOfMainsSend()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var r = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        var error = new TestError("fatal");
        var e = Assert.Throws<TestError>(() => ch.SendException(error));
        Assert.Same(error, e);
        Assert.False(r.Alive);
        Assert.Equal(0, ch.Balance);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOriginal() => throw new TestError("original");

    private static TestError Thrown()
    {
        try { ThrowOriginal(); }
        catch (TestError e) { return e; }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Sends a thrown <see cref="TestError"/> with <paramref name="send"/>; returns what the receiver caught.</summary>
    private static (TestError Sent, Exception? Caught) SendErrorToAReceiver(Func<Channel, Exception, Operation> send)
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var error = Thrown();
        Exception? caught = null;
        async TaskletBody Receiver()
        {
            try { await ch.Receive(); }
            catch (TestError e) { caught = e; }
        }
        s.Spawn(Receiver);
        s.Spawn(async () => { await send(ch, error); });
        s.Run();
        return (error, caught);
    }

    [Fact]
    public void SendThrow_RaisesInTheReceiver_KeepingTheOriginalStackTrace()
    {
        var (error, caught) = SendErrorToAReceiver((ch, e) => ch.SendThrow(e));
        Assert.Same(error, caught);
        Assert.Contains(nameof(ThrowOriginal), caught!.StackTrace);
    }

    [Fact]
    public void SendException_RaisesAFreshThrow_WithoutTheOriginalStackTrace()
    {
        var (error, caught) = SendErrorToAReceiver((ch, e) => ch.SendException(e));
        Assert.Same(error, caught);
        Assert.DoesNotContain(nameof(ThrowOriginal), caught!.StackTrace);
    }

    [Fact]
    public void ExceptionsAndChannels_CanBeSentAsPlainValues()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var reply = new Channel(s);
        var error = new TestError("just a value");
        object? receivedError = null;
        async TaskletBody Server()
        {
            var replyTo = (Channel)(await ch.Receive())!;
            receivedError = await ch.Receive();
            await replyTo.Send("pong");
        }
        s.Spawn(Server);
        ch.Send(reply);
        ch.Send(error);
        Assert.Same(error, receivedError);
        Assert.Equal("pong", reply.Receive().Value);
    }

    [Fact]
    public void TypedChannel_CarriesItsType()
    {
        var s = new Scheduler();
        var ch = new Channel<(string Name, int Age)>(s);
        Assert.Equal(typeof((string, int)), ch.ElementType);
        Assert.Equal(typeof(object), new Channel(s).ElementType);
        s.Spawn(async () => { await ch.Send(("ada", 36)); await ch.Send(("alan", 41)); });
        Assert.Equal(("ada", 36), ch.Receive().Value);
        var (name, age) = ch.Receive().Value;
        Assert.Equal("alan", name);
        Assert.Equal(41, age);
    }

    [Fact]
    public void TypedChannel_SendException_RaisesInATypedReceive()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        s.Spawn(async () => { await ch.Send(1); await ch.SendException(new TestError("typed")); await ch.Send(3); });
        Assert.Equal(1, ch.Receive().Value);
        Assert.Equal("typed", Assert.Throws<TestError>(() => ch.Receive()).Message);
        Assert.Equal(3, ch.Receive().Value);
    }

    // ---- send_sequence -----------------------------------------------------------------------

    [Fact]
    public void SendSequence_FromATasklet_ReturnsTheNumberOfItemsSent()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var sent = -1;
        async TaskletBody Sender() { sent = await ch.SendSequence(new[] { 4, 5, 6 }); }
        var t = s.Spawn(Sender);
        Assert.Equal(4, ch.Receive().Value);
        Assert.Equal(5, ch.Receive().Value);
        Assert.Equal(6, ch.Receive().Value);
        Assert.Equal(-1, sent);
        s.Run();
        Assert.Equal(3, sent);
        Assert.False(t.Alive);
    }

    [Fact]
    public async Task SendSequence_FromMain_ReturnsTheNumberOfItemsSent()
    {
        var s = new Scheduler();
        var ch = new Channel<string>(s);
        var got = new List<string>();
        async TaskletBody Receiver() { while (true) got.Add(await ch.Receive()); }
        s.Spawn(Receiver);
        var count = await ch.SendSequence(new[] { "a", "b", "c", "d" });
        Assert.Equal(4, count);
        Assert.Equal(new[] { "a", "b", "c", "d" }, got);
        Assert.Equal(0, await ch.SendSequence(Array.Empty<string>()));
    }

    // ---- iteration ---------------------------------------------------------------------------

    [Fact]
    public void AwaitForeach_EndsWhenStopIterationIsSentThroughTheChannel()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var log = new List<string>();
        async TaskletBody Consumer()
        {
            await foreach (var x in ch) log.Add("got " + x);
            log.Add("done");
        }
        var c = s.Spawn(Consumer);
        async TaskletBody Producer()
        {
            await ch.Send(1);
            await ch.Send(2);
            await ch.SendException(new StopIteration());
            log.Add("producer done");
        }
        s.Spawn(Producer);
        s.Run();
        Assert.Equal(new[] { "got 1", "got 2", "done", "producer done" }, log);
        Assert.False(c.Alive);
        Assert.Equal(0, ch.Balance);
    }

    [Fact]
    public void AwaitForeach_DrainsWaitingSenders_AndEndsOnAClosingChannelWithNoSender()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var log = new List<string>();
        async TaskletBody Producer()
        {
            await ch.Send(1);
            try { await ch.Send(2); }
            catch (ChannelClosedException e) { log.Add("producer: " + e.Message); }
        }
        s.Spawn(Producer);
        s.Run();
        Assert.Equal(1, ch.Balance);
        ch.Close();
        Assert.True(ch.Closing);
        Assert.False(ch.Closed);
        async TaskletBody Consumer()
        {
            await foreach (var x in ch) log.Add("got " + x);
            log.Add("loop ended");
        }
        s.Spawn(Consumer);
        s.Run();
        Assert.Equal(new[] { "got 1", "loop ended", "producer: Send/receive operation on a closed channel" }, log);
        Assert.True(ch.Closed);
        Assert.Equal(0, ch.Balance);
    }

    [Fact]
    public void AwaitForeach_OnAClosedChannel_EndsAtOnceWithoutBlocking()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        ch.Close();
        var log = new List<string>();
        async TaskletBody Consumer()
        {
            await foreach (var x in ch) log.Add("got " + x);
            log.Add("done");
        }
        var c = s.Spawn(Consumer);
        s.Run();
        Assert.Equal(new[] { "done" }, log);
        Assert.Equal(1, c.Steps);
    }

    [Fact]
    public async Task AwaitForeach_ByMain_ReceivesUntilStopIteration()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        s.Spawn(async () =>
        {
            for (var i = 1; i <= 3; i++) await ch.Send(i * 10);
            await ch.SendException(new StopIteration());
        });
        var got = new List<int>();
        await foreach (var x in ch) got.Add(x);
        Assert.Equal(new[] { 10, 20, 30 }, got);
    }

    // ---- close / open ------------------------------------------------------------------------

    [Fact]
    public void Close_WithWaiters_IsClosingButNotClosed_UntilTheBalanceReachesZero()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var got = new List<object?>();
        async TaskletBody Receiver() { got.Add(await ch.Receive()); }
        s.Spawn(Receiver);
        s.Spawn(Receiver);
        s.Run();
        ch.Close();
        Assert.True(ch.Closing);
        Assert.False(ch.Closed);
        Assert.Equal(-2, ch.Balance);

        ch.Send(1); // finds a partner: still works
        Assert.Equal(-1, ch.Balance);
        Assert.False(ch.Closed);
        ch.Send(2);
        Assert.Equal(0, ch.Balance);
        Assert.True(ch.Closed);
        Assert.Equal(new object?[] { 1, 2 }, got);

        var e = Assert.Throws<ChannelClosedException>(() => ch.Send(3));
        Assert.Equal("Send/receive operation on a closed channel", e.Message);
        Assert.IsAssignableFrom<InvalidOperationException>(e);
        Assert.Equal(0, ch.Balance);
    }

    [Fact]
    public void Close_DoesNotWakeWaiters()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var r = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        ch.Close();
        s.Run();
        Assert.True(r.Blocked);
        Assert.Same(r, ch.Queue);
    }

    [Fact]
    public void ClosedChannel_OperationThatWouldBlock_RaisesInATasklet()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        ch.Close();
        var messages = new List<string>();
        async TaskletBody Body()
        {
            try { await ch.Receive(); } catch (ChannelClosedException e) { messages.Add(e.Message); }
            try { await ch.Send(1); } catch (ChannelClosedException e) { messages.Add(e.Message); }
            try { await ch.SendException(new TestError("x")); } catch (ChannelClosedException e) { messages.Add(e.Message); }
        }
        var t = s.Spawn(Body);
        s.Run();
        Assert.Equal(Enumerable.Repeat("Send/receive operation on a closed channel", 3), messages);
        Assert.Equal(0, ch.Balance);
        Assert.False(t.Alive);
    }

    [Fact]
    public void ClosedChannel_MainReceiveWithNoSender_RaisesClosedRatherThanDeadlock()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        ch.Close();
        var ran = false;
        var t = s.SpawnAction(() => ran = true);
        var e = Assert.Throws<ChannelClosedException>(() => ch.Receive());
        Assert.Equal("Send/receive operation on a closed channel", e.Message);
        Assert.False(ran); // it raised at once, without running the others
        Assert.Equal(new[] { t }, s.RunQueue);
    }

    [Fact]
    public void Open_ReopensAClosingChannel()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        ch.Close();
        Assert.True(ch.Closed);
        ch.Open();
        Assert.False(ch.Closing);
        Assert.False(ch.Closed);
        var r = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        Assert.True(r.Blocked);
        Assert.Equal(-1, ch.Balance);
    }

    // ---- reduce and flags --------------------------------------------------------------------

    [Fact]
    public void Flags_FollowStacklessBitLayout()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        Assert.Equal(6, ch.Flags);
        ch.Close();
        Assert.Equal(7, ch.Flags);
        ch.Open();
        ch.ScheduleAll = true;
        Assert.Equal(14, ch.Flags);
        ch.Close();
        Assert.Equal(15, ch.Flags);
        Assert.Equal(2, new Channel(s) { Preference = 1 }.Flags);
        Assert.Equal(0, new Channel(s) { Preference = 0 }.Flags);
        Assert.Equal(8, new Channel(s) { Preference = 0, ScheduleAll = true }.Flags);
        Assert.Equal(10, new Channel(s) { Preference = 1, ScheduleAll = true }.Flags);
    }

    [Fact]
    public void Reduce_GivesBalanceFlagsAndTheQueue()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var fresh = ch.Reduce();
        Assert.Equal(0, fresh.Balance);
        Assert.Equal(6, fresh.Flags);
        Assert.Empty(fresh.Queue);
        Assert.Same(ch, fresh.Channel);

        var r1 = s.Spawn(async () => { await ch.Receive(); }, "r1");
        var r2 = s.Spawn(async () => { await ch.Receive(); }, "r2");
        s.Run();
        ch.Close();
        var snap = ch.Reduce();
        Assert.Equal(-2, snap.Balance);
        Assert.Equal(7, snap.Flags);
        Assert.Equal(new[] { r1, r2 }, snap.Queue);
        Assert.Equal(-1, snap.Preference);
        Assert.True(snap.Closing);
        Assert.False(snap.Closed);
        Assert.False(snap.ScheduleAll);
        Assert.Equal("(-2, 7, [r1, r2])", snap.ToString());
    }

    [Fact]
    public void Reduce_IsASnapshot_ThatLaterOperationsDoNotChange()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var r = s.Spawn(async () => { await ch.Receive(); });
        s.Run();
        var before = ch.Reduce();
        ch.Send(1);
        Assert.Equal(-1, before.Balance);
        Assert.Equal(new[] { r }, before.Queue);
        Assert.Equal(0, ch.Reduce().Balance);
        Assert.Empty(ch.Reduce().Queue);
    }

    // ---- block_trap ---------------------------------------------------------------------------

    [Fact]
    public void BlockTrap_AnOperationThatWouldBlockRaises_AndTheTaskletIsNotBlocked()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        string? message = null;
        async TaskletBody Trapped()
        {
            s.Current.BlockTrap = true;
            try { await ch.Receive(); }
            catch (InvalidOperationException e) { message = e.Message; }
        }
        var t = s.Spawn(Trapped);
        s.Run();
        Assert.Equal("this tasklet does not like to be blocked.", message);
        Assert.Equal(0, ch.Balance);
        Assert.False(t.Alive);
    }

    [Fact]
    public void BlockTrap_DoesNotStopAnOperationThatFindsAPartner()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        s.Spawn(async () => { await ch.Send("here"); });
        object? got = null;
        async TaskletBody Trapped()
        {
            s.Current.BlockTrap = true;
            got = await ch.Receive();
        }
        s.Spawn(Trapped);
        s.Run();
        Assert.Equal("here", got);
    }

    [Fact]
    public void BlockTrap_OnMain_RaisesInsteadOfRunningTheOthers()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var ran = false;
        s.SpawnAction(() => ran = true);
        s.Main.BlockTrap = true;
        var e = Assert.Throws<InvalidOperationException>(() => ch.Receive());
        Assert.Equal("this tasklet does not like to be blocked.", e.Message);
        Assert.False(ran);
        s.Main.BlockTrap = false;
        s.Run();
        Assert.True(ran);
    }

    [Fact]
    public void BlockTrap_IsCheckedBeforeClosing()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        ch.Close();
        s.Main.BlockTrap = true;
        var e = Assert.Throws<InvalidOperationException>(() => ch.Send(1));
        Assert.IsNotType<ChannelClosedException>(e);
        Assert.Equal("this tasklet does not like to be blocked.", e.Message);
    }

    // ---- names --------------------------------------------------------------------------------

    [Fact]
    public void Channel_HasANameAndAnIdUniqueInItsScheduler()
    {
        var s = new Scheduler();
        var a = new Channel(s);
        var b = new Channel(s, "bee");
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal("channel#" + a.Id, a.Name);
        Assert.Equal("bee", b.Name);
        Assert.Same(s, a.Owner);
        Assert.Equal("bee (balance 0)", b.ToString());
    }

    [Fact]
    public void ASenderTakenOffItsChannel_DoesNotCarryItsExceptionToItsNextReceive()
    {
        var s = new Scheduler();
        var first = new Channel<int>(s);
        var second = new Channel<int>(s);
        var log = new List<string>();
        async TaskletBody Sender()
        {
            try { await first.SendException(new TestError("never received")); }
            catch (TestError e) { log.Add("thrown into: " + e.Message); }
            log.Add("received " + await second.Receive());
        }
        var t = s.Spawn(Sender);
        Assert.Throws<TestError>(() => s.Run()); // revived with the exception sent (issue 17)
        t.Throw(new TestError("interrupt"));  // takes it off `first` with its exception still in its slot
        second.Send(5);
        Assert.Equal(new[] { "thrown into: interrupt", "received 5" }, log);
        Assert.Equal(0, first.Balance);
    }

    [Fact]
    public void TrackChannels_ListsTheChannelsCreatedWhileOn_OldestFirst()
    {
        var s = new Scheduler();
        var untracked = new Channel(s, "before");
        s.TrackChannels = true;
        var a = new Channel<int>(s, "a");
        var b = new Channel(s, "b");
        Assert.Equal(new ChannelBase[] { a, b }, s.Channels);
        s.TrackChannels = false;
        Assert.Empty(s.Channels);
        GC.KeepAlive(untracked);
    }
}
