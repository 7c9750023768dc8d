using System.Globalization;
using StacklessInteractive.LoadClient;
using StacklessInteractive.Networking;

namespace StacklessInteractive.Bench;

/// <summary>
/// <c>http-load N</c>: the tasklet HTTP server in this process, N client connections held open at once by the load client
/// in another (one process may hold 20,000 descriptors here), then one request on each. The server's memory is taken
/// while all N connections are open and idle; the rates are the client's.
/// </summary>
internal static class HttpLoad
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(120);

    public static Result Run(int n, bool trace, Progress? progress)
    {
        var measure = progress is not null; // not in the warm-up runs
        var s = new Scheduler();
        if (trace) s.Trace = new TraceRecorder(100_000);
        var heap0 = measure ? Memory.HeapAfterFullGc() : 0;
        var rss0 = measure ? Memory.RssBytes() : 0;
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);

        // The load client expects its path back. Idle connections must outlive the connecting of all N.
        var server = new TaskletHttpServer(s, r => HttpResponse.Text(r.Path),
            new HttpServerOptions { Backlog = 4096, IdleTimeout = ClientTimeout }).Start();
        var loop = Task.Factory.StartNew(s.Run, TaskCreationOptions.LongRunning); // the server's thread
        using var client = LoadClientProcess.Start(server.EndPoint, n, ClientTimeout);
        try
        {
            var connected = client.WaitUntilConnected(ClientTimeout);
            if (connected != n) throw new CheckFailedException($"the load client connected {connected} of {n}: {client.Errors}");
            WaitFor(() => server.ActiveConnections == n, $"{n} connection tasklets alive at once", server);
            progress?.Report(() => $"{n:N0} connections open");

            var heapPeak = measure ? Memory.HeapAfterFullGc() : 0; // every connection idle, waiting for its request
            var rssPeak = measure ? Memory.RssBytes() : 0;
            client.Go();
            var outcome = client.WaitForExit(ClientTimeout);
            if (outcome.ExitCode != 0)
                throw new CheckFailedException($"the load client exited with {outcome.ExitCode}: {outcome.Summary}\n{outcome.Errors}");
            WaitFor(() => server.RequestsServed == n && server.ActiveConnections == 0, "every connection answered and closed", server);
            server.Stop();
            if (!loop.Wait(TimeSpan.FromSeconds(30))) throw new CheckFailedException("the server's loop did not end after Stop().");
            if (s.AliveCount != 0) throw new CheckFailedException($"{s.AliveCount} tasklets alive after Stop().");
            if (server.PeakConnections != n) throw new CheckFailedException($"the server held at most {server.PeakConnections} of {n} connections at once.");

            var connectSeconds = outcome.Field("connect_seconds") ?? 0;
            var requestSeconds = outcome.Field("request_seconds") ?? 0;
            if (measure)
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"http-load: client: {outcome.Summary}; server: {server.ConnectionsAccepted} accepted, {server.RequestsServed} served, " +
                    $"{server.ConnectionsAborted} aborted, {server.AcceptErrors} accept errors, {s.Steps} steps"));
            return new Result("http-load", n, trace)
            {
                Seconds = connectSeconds + requestSeconds,
                ConnectSeconds = connectSeconds,
                RequestsPerSecond = outcome.Field("requests_per_second"),
                PeakConnections = server.PeakConnections,
                BytesPerConnection = measure ? (double)(heapPeak - heap0) / n : null,
                RssBytesPerConnection = measure ? (double)(rssPeak - rss0) / n : null,
                AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - alloc0,
            };
        }
        finally
        {
            server.Stop();
            loop.Wait(TimeSpan.FromSeconds(30));
        }
    }

    private static void WaitFor(Func<bool> condition, string what, TaskletHttpServer server)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > ClientTimeout)
                throw new CheckFailedException($"not reached in {ClientTimeout.TotalSeconds:0} s: {what} (active {server.ActiveConnections}, served {server.RequestsServed})");
            Thread.Sleep(2);
        }
    }
}
