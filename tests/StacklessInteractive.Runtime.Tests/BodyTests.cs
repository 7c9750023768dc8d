namespace StacklessInteractive.Tests;

/// <summary>The kinds of tasklet body: async TaskletBody (and nested helpers), async Task, async ValueTask, plain actions.</summary>
public class BodyTests
{
    private static async Task<int> SumOfTwo(Channel<int> ch)
    {
        var a = await ch.Receive();
        var b = await ch.Receive();
        return a + b;
    }

    [Fact]
    public void TaskBody_DoesChannelOperations_AndAwaitsAnAsyncTaskOfTHelperThatDoesThem()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var log = new List<string>();
        async Task Consumer()
        {
            log.Add("sum " + await SumOfTwo(ch));
            log.Add("then " + await ch.Receive());
            await s.Schedule();
            log.Add("consumer done");
        }
        async TaskletBody Producer()
        {
            foreach (var i in new[] { 1, 2, 3 }) { log.Add("send " + i); await ch.Send(i); }
            log.Add("producer done");
        }
        var c = s.SpawnTask(Consumer);
        var p = s.Spawn(Producer);
        s.Run();
        Assert.Equal(new[] { "send 1", "send 2", "sum 3", "send 3", "then 3", "producer done", "consumer done" }, log);
        Assert.False(c.Alive);
        Assert.False(p.Alive);
    }

    [Fact]
    public void TaskletBody_AwaitingAnAsyncTaskOfTHelper_Works()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s);
        var result = 0;
        async TaskletBody Consumer() { result = await SumOfTwo(ch); }
        s.Spawn(Consumer);
        ch.Send(20);
        ch.Send(22);
        Assert.Equal(42, result);
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void TaskBody_ThatThrows_SendsItsExceptionOutOfRun_Unwrapped()
    {
        var s = new Scheduler();
        var error = new TestError("task body");
        var t = s.SpawnTask(async () => { await s.Schedule(); throw error; });
        var e = Assert.Throws<TestError>(() => s.Run());
        Assert.Same(error, e);
        Assert.False(t.Alive);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void TaskBody_Killed_EndsQuietly_RunningItsFinally()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var log = new List<string>();
        var t = s.SpawnTask(async () =>
        {
            try { await ch.Receive(); log.Add("received"); }
            finally { log.Add("finally"); }
        });
        s.Run();
        Assert.True(t.Blocked);
        t.Kill();
        Assert.Equal(new[] { "finally" }, log);
        Assert.False(t.Alive);
        Assert.Equal(0, ch.Balance);
    }

    [Fact]
    public void TaskBody_ThatNeverSuspends_EndsInOneStep()
    {
        var s = new Scheduler();
        var ran = false;
        var t = s.SpawnTask(() => { ran = true; return Task.CompletedTask; });
        s.Run();
        Assert.True(ran);
        Assert.Equal(1, t.Steps);
        Assert.False(t.Alive);
    }

    [Fact]
    public void NestedTaskletBodyHelpers_AreAwaitedLikeCalls()
    {
        var s = new Scheduler();
        var input = new Channel<int>(s);
        var output = new Channel<int>(s);
        var log = new List<string>();
        async TaskletBody Relay(int n)
        {
            for (var i = 0; i < n; i++)
            {
                var x = await input.Receive();
                log.Add("relay " + x);
                await output.Send(x * 10);
            }
        }
        async TaskletBody Twice()
        {
            await Relay(1);
            log.Add("between");
            await Relay(2);
            log.Add("relayed all");
        }
        var t = s.Spawn(Twice);
        var got = new List<int>();
        foreach (var x in new[] { 1, 2, 3 })
        {
            input.Send(x);
            got.Add(output.Receive().Value);
        }
        Assert.Equal(new[] { 10, 20, 30 }, got);
        s.Run();
        Assert.Equal(new[] { "relay 1", "between", "relay 2", "relay 3", "relayed all" }, log);
        Assert.False(t.Alive);
    }

    [Fact]
    public void NestedTaskletBodyHelpers_ThreeDeep_SuspendAndResumeTheWholeChain()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody Level3() { log.Add("3 in"); await s.Schedule(); log.Add("3 out"); }
        async TaskletBody Level2() { log.Add("2 in"); await Level3(); await s.Schedule(); log.Add("2 out"); }
        async TaskletBody Level1() { log.Add("1 in"); await Level2(); log.Add("1 out"); }
        s.Spawn(Level1);
        s.Spawn(async () => { for (var i = 0; i < 3; i++) { log.Add("x" + i); await s.Schedule(); } });
        s.Run();
        Assert.Equal(new[] { "1 in", "2 in", "3 in", "x0", "3 out", "x1", "2 out", "1 out", "x2" }, log);
    }

    [Fact]
    public void NestedTaskletBodyHelper_ThatCompletesWithoutSuspending_ContinuesInTheSameStep()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody Maybe(bool suspend) { log.Add("helper"); if (suspend) await s.Schedule(); }
        async TaskletBody Body() { await Maybe(false); log.Add("after"); await Maybe(true); log.Add("end"); }
        var t = s.Spawn(Body);
        s.Run();
        Assert.Equal(new[] { "helper", "after", "helper", "end" }, log);
        Assert.Equal(2, t.Steps);
    }

    [Fact]
    public void NestedTaskletBodyHelper_Exception_PropagatesToTheAwaitingBody()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var log = new List<string>();
        async TaskletBody Failing() { await ch.Receive(); throw new TestError("from helper"); }
        async TaskletBody FailingAtOnce() { if (log.Count >= 0) throw new TestError("at once"); await s.Schedule(); }
        async TaskletBody Body()
        {
            try { await Failing(); } catch (TestError e) { log.Add("caught " + e.Message); }
            try { await FailingAtOnce(); } catch (TestError e) { log.Add("caught " + e.Message); }
            log.Add("body done");
        }
        var t = s.Spawn(Body);
        s.Run();
        ch.Send(1);
        Assert.Equal(new[] { "caught from helper", "caught at once", "body done" }, log);
        Assert.False(t.Alive);
    }

    [Fact]
    public void NestedTaskletBodyHelper_Killed_UnwindsEveryLevel()
    {
        var s = new Scheduler();
        var ch = new Channel(s);
        var log = new List<string>();
        async TaskletBody Inner() { try { await ch.Receive(); } finally { log.Add("inner finally"); } }
        async TaskletBody Outer() { try { await Inner(); log.Add("not reached"); } finally { log.Add("outer finally"); } }
        var t = s.Spawn(Outer);
        s.Run();
        t.Kill();
        Assert.Equal(new[] { "inner finally", "outer finally" }, log);
        Assert.False(t.Alive);
        Assert.Equal(0, ch.Balance);
    }

    [Fact]
    public void ValueTaskBody_BoundAsADelegate_Works()
    {
        var s = new Scheduler();
        var ch = new Channel<string>(s);
        string? got = null;
        async ValueTask Body() { got = await ch.Receive(); }
        var t = new Tasklet(Body, s).Setup();
        s.Run();
        Assert.True(t.Blocked);
        ch.Send("vt");
        Assert.Equal("vt", got);
        Assert.False(t.Alive);
    }

    [Fact]
    public void ActionBodies_RunInOneStep_InFifoOrderWithTheOtherKinds()
    {
        var s = new Scheduler();
        var log = new List<string>();
        var a = s.SpawnAction(() => log.Add("action"));
        s.Spawn(async () => { log.Add("body 1"); await s.Schedule(); log.Add("body 2"); });
        s.SpawnTask(async () => { log.Add("task 1"); await s.Schedule(); log.Add("task 2"); });
        s.SpawnAction(() => log.Add("action 2"));
        s.Run();
        Assert.Equal(new[] { "action", "body 1", "task 1", "action 2", "body 2", "task 2" }, log);
        Assert.Equal(1, a.Steps);
    }

    [Fact]
    public void ActionBody_CanUseOperationsThatCompleteWithoutSwitching()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s) { Preference = 0 };
        var got = new List<int>();
        s.Spawn(async () => { got.Add(await ch.Receive()); });
        s.Run();
        s.SpawnAction(() => { var op = ch.Send(7); Assert.True(op.IsCompleted); });
        s.Run();
        Assert.Equal(new[] { 7 }, got);
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void Spawn_WithOneTwoAndThreeArguments_PassesThem()
    {
        var s = new Scheduler();
        var log = new List<string>();
        async TaskletBody One(int a) { await s.Schedule(); log.Add($"{a}"); }
        async TaskletBody Two(int a, string b) { await s.Schedule(); log.Add($"{a}{b}"); }
        async TaskletBody Three(int a, string b, char c) { await s.Schedule(); log.Add($"{a}{b}{c}"); }
        s.Spawn(One, 1, "one");
        s.Spawn(Two, 2, "b", "two");
        s.Spawn(Three, 3, "b", 'c', "three");
        Assert.Equal(new[] { "one", "two", "three" }, s.RunQueue.Select(t => t.Name));
        s.Run();
        Assert.Equal(new[] { "1", "2b", "3bc" }, log);
    }
}
