namespace StacklessInteractive.Tests;

/// <summary>Select over channels: choosing, blocking on every channel, forgetting, default, timeout, close, exceptions, fairness.</summary>
[Collection(nameof(ExplorerCollection))] // the fairness and exploration tests capture the console
public sealed class SelectTests
{
    [Fact]
    public void SeveralReady_TheFirstInOrderIsTaken()
    {
        var s = new Scheduler();
        var a = new Channel<string>(s, "a");
        var b = new Channel<string>(s, "b");
        var log = new List<string>();
        s.Spawn(async () => await b.Send("from b"), "sb");
        s.Spawn(async () => await a.Send("from a"), "sa");
        s.Spawn(async () =>
        {
            var r = await Select.From(b.Receiving(), a.Receiving());
            log.Add($"{r.Index} {r.Value}");
            r = await Select.From(b.Receiving(), a.Receiving());
            log.Add($"{r.Index} {r.ValueAs<string>()}");
        }, "selector");
        s.Run();
        Assert.Equal(["0 from b", "1 from a"], log);
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void ABlockedSelect_WaitsOnEveryChannel_AndTheOthersForgetItWhenOneFires()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var channels = new[] { new Channel<int>(s, "x"), new Channel<int>(s, "y"), new Channel<int>(s, "z") };
        SelectResult? got = null;
        var selector = s.Spawn(async () => got = await Select.From(channels[0].Receiving(), channels[1].Receiving(), channels[2].Receiving()), "selector");
        s.Run();
        Assert.Equal(TaskletState.Blocked, selector.State);
        Assert.All(channels, c => Assert.Equal(-1, c.Balance));
        Assert.All(channels, c => Assert.Same(selector, Assert.Single(c.Waiters)));
        Assert.All(channels, c => Assert.Same(selector, c.Queue));
        Assert.Equal(["x", "y", "z"], selector.SelectingOn.Select(w => w.Channel.Name));
        var report = s.GetDeadlockReport();
        Assert.True(report.IsDeadlock);
        Assert.Equal(3, report.Blocked.Count);
        Assert.Contains("selector waits to receive on z", report.ToString());

        s.Spawn(async () => await channels[1].Send(42), "sender");
        s.Run();
        Assert.Equal(new SelectResult(1, 42), got);
        Assert.All(channels, c => Assert.Equal(0, c.Balance));
        Assert.All(channels, c => Assert.Empty(c.Waiters));
        Assert.Equal(0, s.AliveCount);
        var events = s.Trace!.Events;
        Assert.Equal(3, events.Count(e => e.Reason == TraceReason.BlockReceive && e.Tasklet == selector));
        Assert.Equal(["x", "z"], events.Where(e => e.Reason == TraceReason.Unblock).Select(e => e.Channel!.Name));
        Assert.Contains(events, e => e.Reason == TraceReason.HandOff && e.Tasklet.Name == "sender" && e.Partner == selector && e.Channel == channels[1]);
    }

    [Fact]
    public void ASendCase_HandsItsValueToTheReceiverThatComes()
    {
        var s = new Scheduler();
        var a = new Channel<int>(s, "a");
        var b = new Channel<string>(s, "b");
        var log = new List<string>();
        s.Spawn(async () => log.Add("select " + (await Select.From(a.Receiving(), b.Sending("hello"))).Index), "selector");
        s.Spawn(async () => log.Add("got " + await b.Receive()), "receiver");
        s.Run();
        Assert.Equal(["got hello", "select 1"], log.Order());
        Assert.Equal(0, a.Balance);
    }

    [Fact]
    public void Default_IsTakenWhenNothingIsReady_AndNeverBlocks()
    {
        var s = new Scheduler();
        var a = new Channel<int>(s);
        var index = -1;
        s.Spawn(async () => index = (await Select.From(a.Receiving(), Select.Default)).Index);
        s.Run();
        Assert.Equal(1, index);
        Assert.Equal(0, a.Balance);
    }

    [Fact]
    public void Timeout_FiresAfterItsRounds_WhenNobodyCame_AndEndsQuietlyWhenSomeoneDid()
    {
        var s = new Scheduler();
        var a = new Channel<int>(s, "a");
        var results = new List<SelectResult>();
        s.Spawn(async () => results.Add(await Select.From(a.Receiving(), Select.Timeout(3))), "waiting");
        s.Run();
        Assert.Equal(new SelectResult(1, null), Assert.Single(results));
        Assert.Equal(0, s.AliveCount);
        Assert.Equal(0, a.Balance);

        s.Spawn(async () => results.Add(await Select.From(a.Receiving(), Select.Timeout(5))), "served");
        s.Spawn(async () => await a.Send(7), "sender");
        s.Run();
        Assert.Equal(new SelectResult(0, 7), results[1]);
        Assert.Equal(0, s.AliveCount); // the timer found nobody waiting and ended
    }

    [Fact]
    public void AnExceptionSentThroughASelectedChannel_IsRaisedByTheAwait()
    {
        var s = new Scheduler();
        var a = new Channel<int>(s);
        var b = new Channel<int>(s);
        Exception? caught = null;
        s.Spawn(async () =>
        {
            try { await Select.From(a.Receiving(), b.Receiving()); }
            catch (TestError e) { caught = e; }
        });
        s.Spawn(async () => await b.SendException(new TestError("through b")));
        s.Run();
        Assert.Equal("through b", caught?.Message);
        Assert.Equal(0, a.Balance);
        Assert.Equal(0, b.Balance);
    }

    [Fact]
    public void SelectingOnAClosingChannel_RaisesAsAPlainReceiveWould_ButAReadyCaseStillGoes()
    {
        var s = new Scheduler();
        var a = new Channel<int>(s);
        var closed = new Channel<int>(s);
        closed.Close();
        Exception? error = null;
        s.Spawn(async () =>
        {
            try { await Select.From(a.Receiving(), closed.Receiving()); }
            catch (ChannelClosedException e) { error = e; }
        });
        s.Run();
        Assert.IsType<ChannelClosedException>(error);
        Assert.Equal(0, a.Balance);

        var value = 0;
        s.Spawn(async () => await a.Send(5));
        s.Spawn(async () => value = (int)(await Select.From(a.Receiving(), closed.Receiving())).Value!);
        s.Run();
        Assert.Equal(5, value);
    }

    [Fact]
    public void KillingABlockedSelect_TakesItOutOfEveryQueue()
    {
        var s = new Scheduler();
        var a = new Channel<int>(s);
        var b = new Channel<int>(s);
        var finallyRan = false;
        var t = s.Spawn(async () =>
        {
            try { await Select.From(a.Receiving(), b.Sending(3)); }
            finally { finallyRan = true; }
        });
        s.Run();
        Assert.Equal(-1, a.Balance);
        Assert.Equal(1, b.Balance);
        t.Kill();
        Assert.True(finallyRan);
        Assert.Equal(0, a.Balance);
        Assert.Equal(0, b.Balance);
        Assert.False(t.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void UnderARandomStrategy_ReadyCasesAreChosenFairly()
    {
        var s = new Scheduler { Strategy = new RandomStrategy(11) };
        var a = new Channel<int>(s) { Preference = 1 };
        var b = new Channel<int>(s) { Preference = 1 };
        var counts = new int[2];
        const int Rounds = 1000;
        s.Spawn(async () => { while (true) await a.Send(0); });
        s.Spawn(async () => { while (true) await b.Send(1); });
        s.Spawn(async () =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                while (a.Balance <= 0 || b.Balance <= 0) await s.Schedule(); // both ready: a real choice
                counts[(await Select.From(a.Receiving(), b.Receiving())).Index]++;
            }
        });
        s.Run(200_000, soft: true);
        Assert.Equal(Rounds, counts.Sum());
        Assert.InRange(counts[0], Rounds * 40 / 100, Rounds * 60 / 100);

        var fifo = new Scheduler();
        var c = new Channel<int>(fifo);
        var d = new Channel<int>(fifo);
        var first = 0;
        fifo.Spawn(async () => { for (var i = 0; i < 10; i++) await c.Send(0); });
        fifo.Spawn(async () => { for (var i = 0; i < 10; i++) await d.Send(1); });
        fifo.Spawn(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                while (c.Balance <= 0 || d.Balance <= 0) await fifo.Schedule();
                if ((await Select.From(c.Receiving(), d.Receiving())).Index == 0) first++;
            }
        });
        fifo.Run(10_000, soft: true);
        Assert.Equal(10, first); // without a strategy: the first ready case, every time
    }

    [Fact]
    public void Dfs_ExploresEveryReadyCaseOfASelect()
    {
        var result = Explorer.Explore(s =>
        {
            var a = new Channel<string>(s);
            var b = new Channel<string>(s);
            s.Spawn(async () => await a.Send("a"), "sa");
            s.Spawn(async () => await b.Send("b"), "sb");
            s.Spawn(async () =>
            {
                await s.Schedule();
                await s.Schedule();
                var r = await Select.From(a.Receiving(), b.Receiving());
                Console.Write(r.Value);
                await Select.From(a.Receiving(), b.Receiving());
            }, "selector");
        }, new ExploreOptions { Strategy = ExploreStrategy.Dfs });
        Assert.True(result.Exhausted);
        Assert.False(result.FoundBug);
        Assert.Equal(["a", "b"], result.Outcomes.Select(o => o.Output).Order());
    }

    [Fact]
    public void Misuse_IsRefusedWithAReason()
    {
        var s = new Scheduler();
        var a = new Channel<int>(s);
        Assert.Throws<ArgumentException>(() => Select.From());
        Assert.Throws<ArgumentException>(() => Select.From(a.Receiving(), Select.Default, Select.Default));
        Assert.Throws<ArgumentException>(() => Select.From(a.Receiving(), Select.Default, Select.Timeout(2)));
        Assert.Throws<ArgumentException>(() => Select.From(a.Receiving(), new Channel<int>(new Scheduler()).Receiving()));
        Assert.Throws<ArgumentOutOfRangeException>(() => Select.Timeout(0));
        var e = Assert.Throws<NotSupportedException>(() => Select.From(a.Receiving()));
        Assert.Contains("spawn a tasklet", e.Message);
    }
}
