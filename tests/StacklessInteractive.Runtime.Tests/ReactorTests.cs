using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StacklessInteractive.Tests;

/// <summary>The reactor in its own tasklet: the talk's "Integration Technique Two" and its blockOn.</summary>
public class ReactorTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Runs <c>s.Run()</c> on a pool thread for at most <see cref="Limit"/>, rethrowing what it raised. On timeout the
    /// reactor is stopped (so the thread does not run on) and the test fails.
    /// </summary>
    private static void RunBounded(Scheduler s, Reactor reactor)
    {
        var run = Task.Run(() => s.Run());
        try { run.WaitAsync(Limit).GetAwaiter().GetResult(); }
        catch (TimeoutException)
        {
            reactor.Stop();
            Assert.Fail($"Run() did not return within {Limit}.");
        }
    }

    /// <summary>
    /// Completes tasks on a thread of its own. Without xunit's synchronization context there, each task's callbacks run
    /// inline, so they reach the reactor in exactly this order, before this returns.
    /// </summary>
    private static void CompleteOnAnotherThread(Action complete)
    {
        var thread = new Thread(() => complete());
        thread.Start();
        Assert.True(thread.Join(Limit));
    }

    private static async Task<string> FakeFetch(string url, int milliseconds)
    {
        await Task.Delay(milliseconds);
        return "page " + url;
    }

    private static async Task<int> After(int milliseconds, int value)
    {
        await Task.Delay(milliseconds);
        return value;
    }

    private static async Task<string> FailingFetch()
    {
        await Task.Delay(20);
        throw new TestError("404 not found");
    }

    /// <summary>A web server on 127.0.0.1 that answers every GET with "page PATH", a little later.</summary>
    private sealed class PageServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public ConcurrentQueue<string> Requests { get; } = new();

        public PageServer()
        {
            _listener.Start();
            _ = Task.Run(AcceptLoop);
        }

        public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

        private async Task AcceptLoop()
        {
            while (true)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
                _ = Task.Run(() => Serve(client));
            }
        }

        private async Task Serve(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync() ?? "";
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { } // the headers
                var path = requestLine.Split(' ')[1];
                Requests.Enqueue(path);
                await Task.Delay(30);
                var body = Encoding.UTF8.GetBytes("page " + path);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
                await stream.WriteAsync(body);
            }
        }

        public void Dispose() => _listener.Stop();
    }

    [Fact]
    public void Client_FetchesTwoPagesOneAfterTheOther_InSynchronousStyle()
    {
        // The talk: def client(url1, url2): print blockOn(getPage(url1)); print blockOn(getPage(url2))
        using var server = new PageServer();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        var printed = new List<string>();
        async TaskletBody Client(string url1, string url2)
        {
            printed.Add(await reactor.BlockOn(http.GetStringAsync(url1)));
            printed.Add(await reactor.BlockOn(http.GetStringAsync(url2)));
            reactor.Stop();
        }
        var reactorTasklet = reactor.Start(); // stackless.tasklet(reactor.run)()
        s.Spawn(Client, server.Url("/google"), server.Url("/mcgill"));
        RunBounded(s, reactor);
        Assert.Equal(new[] { "page /google", "page /mcgill" }, printed);
        Assert.Equal(new[] { "/google", "/mcgill" }, server.Requests); // the second request went out after the first page came
        Assert.Equal("reactor", reactorTasklet.Name);
        Assert.False(reactorTasklet.Alive);
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void Client_WithFakeFetches_GetsThePagesInTheOrderItAskedForThem()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        var log = new List<string>();
        async TaskletBody Client()
        {
            log.Add(await reactor.BlockOn(FakeFetch("slow", 120))); // the slow page first: it still comes first
            log.Add(await reactor.BlockOn(FakeFetch("fast", 10)));
            reactor.Stop();
        }
        reactor.Start();
        s.Spawn(Client);
        RunBounded(s, reactor);
        Assert.Equal(new[] { "page slow", "page fast" }, log);
    }

    [Fact]
    public void BlockOn_RaisesTheTaskException_InTheCaller_WithItsOriginalStackTrace()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        Exception? caught = null;
        Exception? caughtUntyped = null;
        async TaskletBody Client()
        {
            try { await reactor.BlockOn(FailingFetch()); }
            catch (TestError e) { caught = e; }
            try { await reactor.BlockOn((Task)FailingFetch()); }
            catch (TestError e) { caughtUntyped = e; }
            reactor.Stop();
        }
        reactor.Start();
        s.Spawn(Client);
        RunBounded(s, reactor); // the exception stays in the caller: nothing escapes Run()
        Assert.Equal("404 not found", caught?.Message);
        Assert.Contains(nameof(FailingFetch), caught!.StackTrace);
        Assert.Equal("404 not found", caughtUntyped?.Message);
        Assert.True(reactor.Tasklet!.Steps > 0);
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void BlockOnResult_GivesTheTalksTuples_TrueAndDataOrFalseAndTheError()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        var results = new List<(bool Ok, object? Data)>();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        async TaskletBody Client()
        {
            results.Add(await reactor.BlockOnResult(FakeFetch("ok", 10)));
            results.Add(await reactor.BlockOnResult(FailingFetch()));
            results.Add(await reactor.BlockOnResult(Task.Delay(10)));
            results.Add(await reactor.BlockOnResult(Task.Delay(1000, cancel.Token)));
            reactor.Stop();
        }
        reactor.Start();
        s.Spawn(Client);
        RunBounded(s, reactor);
        Assert.Equal((true, "page ok"), results[0]);
        Assert.False(results[1].Ok);
        Assert.Equal("404 not found", Assert.IsType<TestError>(results[1].Data).Message);
        Assert.Equal((true, null), results[2]);
        Assert.False(results[3].Ok);
        Assert.IsType<TaskCanceledException>(results[3].Data);
    }

    [Fact]
    public void OtherTasklets_KeepRunning_WhileAFetchIsPending()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        var ticks = 0;
        var ticksWhenFetched = -1;
        var fetched = false;
        async TaskletBody Counter()
        {
            while (!fetched) { ticks++; await s.Schedule(); }
        }
        async TaskletBody Client()
        {
            await reactor.BlockOn(FakeFetch("slow", 200));
            ticksWhenFetched = ticks;
            fetched = true;
            reactor.Stop();
        }
        reactor.Start();
        s.Spawn(Client);
        s.Spawn(Counter);
        RunBounded(s, reactor);
        // The reactor yields on every step while the counter is runnable (the talk's __tick__), so the counter went
        // round many times during the fetch, and the reactor with it, instead of the reactor sleeping on select().
        Assert.True(ticksWhenFetched > 20, $"the counter ran {ticksWhenFetched} times during the fetch");
        Assert.True(reactor.Tasklet!.Steps > 20, $"the reactor took {reactor.Tasklet.Steps} steps");
    }

    [Fact]
    public void CompletionsThatKeepComing_DoNotKeepTheReactorFromYielding()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        var delivered = 0;
        var ticks = 0;
        var done = 0;
        async TaskletBody Chatty()
        {
            // Each wait completes at once, so the reactor always has a callback ready.
            for (var i = 0; i < 500; i++)
            {
                var one = await reactor.BlockOn(Task.FromResult(1)); // not "delivered += await": that reads before it waits
                delivered += one;
            }
            if (++done == 3) reactor.Stop();
        }
        async TaskletBody Counter()
        {
            while (done < 3) { ticks++; await s.Schedule(); }
        }
        reactor.Start();
        for (var i = 0; i < 3; i++) s.Spawn(Chatty);
        s.Spawn(Counter);
        RunBounded(s, reactor);
        Assert.Equal(1500, delivered);
        // Between two reactor steps every runnable tasklet goes round once: the counter ran about once per delivery round.
        Assert.True(ticks >= 500, $"the counter ran {ticks} times");
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void Reactor_WhenNothingElseCanRun_SleepsATickAtATimeInsteadOfSpinning()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var reactor = new Reactor(s, TimeSpan.FromMilliseconds(40));
        async TaskletBody Client()
        {
            await reactor.BlockOn(FakeFetch("slow", 400));
            reactor.Stop();
        }
        reactor.Start();
        s.Spawn(Client);
        RunBounded(s, reactor);
        // About 400 / 40 = 10 sleeps, each followed by a yield: a few steps, not the millions of a busy loop.
        var steps = reactor.Tasklet!.Steps;
        Assert.InRange(steps, 3, 60);
        var sleeps = s.Trace.Events.Count(e => e.Reason == TraceReason.IdleWait && e.Tasklet == reactor.Tasklet);
        Assert.InRange(sleeps, 3, 60);
    }

    [Fact]
    public void Completions_AreDeliveredInTheOrderTheyComplete()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        var sources = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource<int>()).ToArray();
        var order = new List<int>();
        async TaskletBody Waiter(int i)
        {
            order.Add(await reactor.BlockOn(sources[i].Task));
            if (order.Count == sources.Length) reactor.Stop();
        }
        for (var i = 0; i < 5; i++) s.Spawn(Waiter, i);
        s.Run(); // all five register and block on their reply channels: no reactor yet
        Assert.Equal(5, reactor.PendingCount);
        Assert.All(s.Tasklets, t => Assert.Equal("reactor.BlockOn", t.BlockedOn?.Name));
        var completionOrder = new[] { 3, 0, 4, 1, 2 };
        CompleteOnAnotherThread(() => { foreach (var i in completionOrder) sources[i].SetResult(i); });
        reactor.Start();
        RunBounded(s, reactor);
        Assert.Equal(completionOrder, order);
        Assert.Equal(0, reactor.PendingCount);
    }

    [Fact]
    public void Completions_ArrivingWhileTheReactorRuns_AreDeliveredInCompletionOrder()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        var order = new List<int>();
        var delays = new[] { 150, 30, 90, 60, 120 };
        async TaskletBody Waiter(int i)
        {
            order.Add(await reactor.BlockOn(After(delays[i], i)));
            if (order.Count == delays.Length) reactor.Stop();
        }
        reactor.Start();
        for (var i = 0; i < delays.Length; i++) s.Spawn(Waiter, i);
        RunBounded(s, reactor);
        Assert.Equal(new[] { 1, 3, 2, 4, 0 }, order);
    }

    [Fact]
    public async Task Run_KeepsRunningWhileTheReactorIsAlive_AndStopEndsIt_FromAnotherThread()
    {
        var s = new Scheduler();
        var baseline = s.AliveCount;
        var reactor = new Reactor(s, Tick);
        var t = reactor.Start();
        Assert.True(reactor.IsRunning);
        Assert.Equal(baseline + 1, s.AliveCount);
        var run = Task.Run(() => s.Run());
        await Task.Delay(200);
        Assert.False(run.IsCompleted); // the reactor is the program's event loop: Run() goes on until Stop()
        reactor.Stop();
        await run.WaitAsync(Limit);
        Assert.False(t.Alive);
        Assert.False(reactor.IsRunning);
        Assert.Equal(baseline, s.AliveCount);
        Assert.True(t.Steps < 50, $"the idle reactor took {t.Steps} steps in 200 ms");
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void Stop_FromATasklet_EndsTheReactorTasklet_AndAliveCountReturnsToBaseline()
    {
        var s = new Scheduler();
        var baseline = s.AliveCount;
        var reactor = new Reactor(s, Tick);
        async TaskletBody Stopper()
        {
            for (var i = 0; i < 3; i++) await s.Schedule();
            reactor.Stop(); // the talk's reactor.stop() in a callback
        }
        var t = reactor.Start();
        s.Spawn(Stopper);
        RunBounded(s, reactor);
        Assert.False(t.Alive);
        Assert.Equal(baseline, s.AliveCount);
        var second = reactor.Start();
        Assert.Throws<InvalidOperationException>(() => reactor.Start()); // one reactor tasklet at a time
        reactor.Stop();
        RunBounded(s, reactor); // the second one ends as well
        Assert.False(second.Alive);
        Assert.Equal(baseline, s.AliveCount);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void EndWhenIdle_EndsTheReactor_OnceTheClientsAreDone()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick) { EndWhenIdle = true };
        var pages = new List<string>();
        async TaskletBody Client(string url) => pages.Add(await reactor.BlockOn(FakeFetch(url, 30)));
        reactor.Start();
        s.Spawn(Client, "a");
        s.Spawn(Client, "b");
        RunBounded(s, reactor); // nobody calls Stop()
        Assert.Equal(new[] { "page a", "page b" }, pages.Order());
        Assert.False(reactor.IsRunning);
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void KillingATaskletWaitingInBlockOn_DoesNotBreakTheReactor()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        var killedIo = new TaskCompletionSource<int>();
        var otherIo = new TaskCompletionSource<int>();
        var cleanedUp = false;
        var got = 0;
        async TaskletBody Doomed()
        {
            try { await reactor.BlockOn(killedIo.Task); }
            finally { cleanedUp = true; }
        }
        async TaskletBody Survivor()
        {
            got = await reactor.BlockOn(otherIo.Task);
            reactor.Stop();
        }
        var doomed = s.Spawn(Doomed);
        var reactorTasklet = reactor.Start();
        s.Spawn(Survivor);
        Assert.Null(s.Run(3)); // Doomed blocks, the reactor yields (Survivor is runnable), Survivor blocks
        Assert.True(doomed.Blocked);
        Assert.Equal(2, reactor.PendingCount);
        doomed.Kill();
        Assert.True(cleanedUp);
        Assert.False(doomed.Alive);
        CompleteOnAnotherThread(() =>
        {
            killedIo.SetResult(1); // its callback comes first, with nobody left to receive it
            otherIo.SetResult(2);
        });
        RunBounded(s, reactor);
        Assert.Equal(2, got);
        Assert.False(reactorTasklet.Alive);
        Assert.Equal(0, reactor.PendingCount);
        Assert.Equal(0, s.AliveCount);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void BlockOn_FromMain_RunsTheOthersUntilTheReactorDelivers()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        reactor.Start();
        Assert.Equal("page main", reactor.BlockOn(FakeFetch("main", 30)).Value);
        Assert.True(s.Main.IsCurrent);
        Assert.Throws<TestError>(() => reactor.BlockOn(FailingFetch()).Value);
        reactor.Stop();
        RunBounded(s, reactor);
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void AStoppedReactor_LeavesItsCallersWaiting_AndARestartDeliversToThem()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        var io = new TaskCompletionSource<string>();
        string? got = null;
        async TaskletBody Client() => got = await reactor.BlockOn(io.Task);
        reactor.Start();
        var client = s.Spawn(Client);
        reactor.Stop();
        RunBounded(s, reactor);
        Assert.False(reactor.IsRunning);
        Assert.Same(client, Assert.Single(s.GetDeadlockReport().Blocked).Tasklet); // silent, as Stackless's deadlocks
        CompleteOnAnotherThread(() => io.SetResult("late"));
        reactor.EndWhenIdle = true;
        reactor.Start();
        RunBounded(s, reactor);
        Assert.Equal("late", got);
        Assert.Equal(0, s.AliveCount);
    }

    [Fact]
    public void TheReactor_AndTheSchedulersOwnBlockOn_WorkSideBySide()
    {
        var s = new Scheduler();
        var reactor = new Reactor(s, Tick);
        var log = new ConcurrentQueue<string>();
        async TaskletBody ViaScheduler() => log.Enqueue(await s.BlockOn(FakeFetch("scheduler", 20)));
        async TaskletBody ViaReactor()
        {
            log.Enqueue(await reactor.BlockOn(FakeFetch("reactor", 60)));
            while (s.WaitingIOCount != 0) await s.Schedule();
            reactor.Stop();
        }
        reactor.Start();
        s.Spawn(ViaScheduler);
        s.Spawn(ViaReactor);
        RunBounded(s, reactor);
        Assert.Equal(new[] { "page reactor", "page scheduler" }, log.Order());
        Assert.Equal(0, s.AliveCount);
    }
}
