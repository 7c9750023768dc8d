namespace StacklessInteractive.Tests;

/// <summary>
/// Each example of the talk that real Stackless ran (tests/reference/*.py), written in C# against the
/// runtime; its output is compared line by line with what Stackless 3.7.5 printed.
/// </summary>
public class TalkExamplesTests
{
    private readonly Scheduler _s = new();
    private readonly StringWriter _out = new();

    [Fact]
    public void HelloWorld_RunsTheOneTasklet()
    {
        void HelloWorld() => _out.WriteLine("Hello World!");
        new Tasklet(HelloWorld, _s).Setup();
        _s.Run();
        Reference.AssertMatches("a_hello", _out.ToString());
    }

    [Fact]
    public void ThreeTasklets_RunInCreationOrder()
    {
        void PrintX(string x) => _out.WriteLine(x);
        new Tasklet(PrintX, _s).Setup("one");
        new Tasklet(PrintX, _s).Setup("two");
        new Tasklet(PrintX, _s).Setup("three");
        _s.Run();
        Reference.AssertMatches("a2_print_x", _out.ToString());
    }

    [Fact]
    public void NumbersAndLetters_InterleaveAtEachSchedule()
    {
        async TaskletBody Numbers()
        {
            for (var i = 1; i < 6; i++) { _out.Write($"{i} "); await _s.Schedule(); }
        }
        async TaskletBody Letters()
        {
            foreach (var ch in "abcde") { _out.Write($"{ch} "); await _s.Schedule(); }
        }
        _s.Spawn(Numbers);
        _s.Spawn(Letters);
        _s.Run();
        _out.WriteLine();
        Reference.AssertMatches("b_numbers_letters", _out.ToString());
    }

    [Fact]
    public void FirstAndSecond_SendWakesTheReceiver()
    {
        async TaskletBody First(Channel channel)
        {
            await channel.Send("first always starts");
            _out.WriteLine(await channel.Receive());
        }
        async TaskletBody Second(Channel channel)
        {
            _out.WriteLine(await channel.Receive());
            await channel.Send("second received message");
        }
        var ch = new Channel(_s);
        _s.Spawn(Second, ch);
        _s.Spawn(First, ch);
        _s.Run();
        Reference.AssertMatches("c_channel", _out.ToString());
    }

    [Fact]
    public void Deadlock_RunReturnsSilentlyAndMainGetsStacklessErrors()
    {
        var o = _out;
        async TaskletBody Task(Channel x, Channel y, string message)
        {
            o.WriteLine(await x.Receive());
            await y.Send(message);
        }
        var ch1 = new Channel(_s);
        var ch2 = new Channel(_s);
        var t1 = _s.Spawn(Task, ch1, ch2, "t1 message");
        var t2 = _s.Spawn(Task, ch2, ch1, "t2 message");
        try { _s.Run(); o.WriteLine("run() returned: None"); }
        catch (Exception e) { o.WriteLine($"run() raised: {Reference.PyType(e)} {e.Message}"); }
        o.WriteLine("ch1.__reduce__(): " + Reference.PyReduce(ch1));
        o.WriteLine("ch2.__reduce__(): " + Reference.PyReduce(ch2));
        o.WriteLine($"t1 is ch1.queue: {Reference.Py(ch1.Queue == t1)}  t2 is ch2.queue: {Reference.Py(ch2.Queue == t2)}");
        o.WriteLine($"ch1.balance: {ch1.Balance}  ch2.balance: {ch2.Balance}");
        foreach (var (name, t) in new[] { ("t1", t1), ("t2", t2) })
            o.WriteLine($"{name} alive={Reference.Py(t.Alive)} blocked={Reference.Py(t.Blocked)} scheduled={Reference.Py(t.Scheduled)} paused={Reference.Py(t.Paused)}");
        o.WriteLine($"getruncount(): {_s.RunCount}");

        var ch3 = new Channel(_s);
        void Try(string what, Action action)
        {
            try { action(); }
            catch (Exception e) { o.WriteLine($"{what} raised: {Reference.PyType(e)}: {e.Message}"); }
        }
        Try("main ch3.receive()", () => ch3.Receive());
        Try("main ch3.send(1)", () => ch3.Send(1));
        _s.SpawnAction(() => { });
        Try("main ch3.receive() with a runnable tasklet that just ends", () => ch3.Receive());
        _s.SpawnAction(() => { });
        Try("main ch3.send(1) with a runnable tasklet that just ends", () => ch3.Send(1));

        async TaskletBody Lonely()
        {
            try { await new Channel(_s).Receive(); }
            catch (Exception e) { o.WriteLine($"tasklet lonely got: {Reference.PyType(e)}: {e.Message}"); throw; }
        }
        _s.Spawn(Lonely);
        try { ch3.Receive(); }
        catch (Exception e) { o.WriteLine($"main blocked; tasklet deadlocks -> main got: {Reference.PyType(e)}: {e.Message}"); }

        o.WriteLine($"t1.alive, t2.alive before kill: {Reference.Py(t1.Alive)} {Reference.Py(t2.Alive)}");
        t1.Kill();
        t2.Kill();
        o.WriteLine($"t1.alive, t2.alive after kill: {Reference.Py(t1.Alive)} {Reference.Py(t2.Alive)} ch1.balance: {ch1.Balance} ch2.balance: {ch2.Balance}");
        Reference.AssertMatches("d_deadlock", o.ToString());
    }

    [Fact]
    public void RequestResponse_ReplyChannelsTravelThroughAChannel()
    {
        var requestChannel = new Channel(_s);
        async Task<string> RequestInterface(string message)
        {
            var replyChannel = new Channel(_s);
            await requestChannel.Send((message, replyChannel));
            return (string)(await replyChannel.Receive())!;
        }
        async TaskletBody RequestHandler()
        {
            await foreach (var request in requestChannel)
            {
                var (name, reply) = ((string, Channel))request!;
                await reply.Send("reply for request " + name + " received");
            }
        }
        async TaskletBody Client(string name) => _out.WriteLine(name + " " + await RequestInterface(name));

        foreach (var name in "ABCDE") _s.Spawn(Client, name.ToString());
        _s.Spawn(RequestHandler);
        _s.Run();
        _out.WriteLine($"run() returned None ; requestChannel.balance = {requestChannel.Balance}");
        Reference.AssertMatches("e_request_response", _out.ToString());
    }

    [Theory]
    [InlineData("f_preference", false)]
    [InlineData("f2_preference_consumer_last", true)]
    public void Preference_GivesStacklessOrders(string reference, bool consumerLast)
    {
        async TaskletBody P(Channel channel)
        {
            while (true) _out.WriteLine("P" + await channel.Receive());
        }
        async TaskletBody C(int i, Channel channel)
        {
            await channel.Send(i);
            _out.WriteLine("R" + i);
        }
        foreach (var pref in new[] { -1, 0, 1 })
        {
            _out.WriteLine(consumerLast ? $"=== preference = {pref} (consumer created last) ===" : $"=== preference = {pref} ===");
            var ch = new Channel(_s) { Preference = pref };
            Tasklet? pt = null;
            if (!consumerLast) pt = _s.Spawn(P, ch);
            for (var i = 0; i < 10; i++) _s.Spawn(C, i, ch);
            if (consumerLast) pt = _s.Spawn(P, ch);
            _s.Run();
            _out.WriteLine($"--- run() returned; ch.balance = {ch.Balance}");
            pt!.Kill();
        }
        Reference.AssertMatches(reference, _out.ToString());
    }

    [Fact]
    public void Sieve_FindsThePrimesUpTo9973()
    {
        async TaskletBody Counter(Channel<int> output)
        {
            for (var i = 2; ; i++) await output.Send(i);
        }
        async TaskletBody Filter(int prime, Channel<int> input, Channel<int> output)
        {
            while (true)
            {
                var i = await input.Receive();
                if (i % prime != 0) await output.Send(i);
            }
        }
        var primes = new List<int>();
        var ch = new Channel<int>(_s);
        _s.Spawn(Counter, ch);
        while (true)
        {
            var prime = ch.Receive().Value;
            primes.Add(prime);
            if (prime >= 9973) break;
            var next = new Channel<int>(_s);
            _s.Spawn(Filter, prime, ch, next);
            ch = next;
        }
        var expected = Reference.Lines("g_sieve_print")[0];
        Assert.Equal(expected, string.Join(" ", primes));
        Assert.Equal(1229, primes.Count);
    }
}
