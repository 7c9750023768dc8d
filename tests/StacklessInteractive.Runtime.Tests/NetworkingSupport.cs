using System.Net;
using System.Net.Sockets;
using System.Text;
using StacklessInteractive.Networking;

namespace StacklessInteractive.Tests;

/// <summary>
/// A <see cref="TaskletHttpServer"/> on a fresh scheduler whose loop runs on a thread of its own, as a server
/// process would run it; the test is the outside world. Every wait is bounded by <see cref="Limit"/>.
/// </summary>
internal sealed class ServerHarness : IDisposable
{
    /// <summary>The longest any single wait of a networking test may take.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private readonly Task _loop;
    private bool _checked;

    public ServerHarness(Func<HttpRequest, HttpResponse>? handler = null, HttpServerOptions? options = null)
    {
        Baseline = Scheduler.AliveCount;
        Server = new TaskletHttpServer(Scheduler, handler ?? Echo, options).Start();
        _loop = Task.Factory.StartNew(Scheduler.Run, TaskCreationOptions.LongRunning);
    }

    public Scheduler Scheduler { get; } = new();
    public TaskletHttpServer Server { get; }
    public int Baseline { get; }
    public int Port => Server.Port;

    /// <summary>Answers <c>METHOD path body</c>, the path being the whole target.</summary>
    public static HttpResponse Echo(HttpRequest request) => HttpResponse.Text($"{request.Method} {request.Target} {request.BodyText}".TrimEnd());

    /// <summary>Runs a scheduler's loop to its end on another thread, failing the test if it takes longer than <see cref="Limit"/>.</summary>
    public static void RunWithin(Scheduler scheduler)
    {
        var loop = Task.Factory.StartNew(scheduler.Run, TaskCreationOptions.LongRunning);
        Assert.True(loop.Wait(Limit), $"the scheduler's loop did not end within {Limit.TotalSeconds} s");
    }

    /// <summary>Polls <paramref name="condition"/> (written by the loop's thread) until it holds; fails after <see cref="Limit"/>.</summary>
    public void WaitUntil(Func<TaskletHttpServer, bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition(Server))
        {
            if (_loop.IsFaulted) _loop.GetAwaiter().GetResult(); // the loop's exception says more
            Assert.True(clock.Elapsed < Limit, $"not reached within {Limit.TotalSeconds} s: {what} " +
                $"(active {Server.ActiveConnections}, served {Server.RequestsServed}, refused {Server.RequestsRefused}, " +
                $"aborted {Server.ConnectionsAborted}, incomplete {Server.IncompleteRequests})");
            Thread.Sleep(5);
        }
    }

    /// <summary>Stops the server and checks that nothing is left: the loop ended, no tasklet alive or waiting on I/O.</summary>
    public void StopAndAssertClean()
    {
        _checked = true;
        var stopped = Server.Stop();
        Assert.True(_loop.Wait(Limit), $"the scheduler's loop did not end within {Limit.TotalSeconds} s of Stop()");
        Assert.True(stopped.IsCompleted);
        Assert.Equal(Baseline, Scheduler.AliveCount);
        Assert.Empty(Scheduler.Tasklets);
        Assert.Equal(0, Scheduler.WaitingIOCount);
        Assert.Equal(0, Server.ActiveConnections);
    }

    public void Dispose()
    {
        if (_checked) return;
        Server.Stop();
        _loop.Wait(Limit);
    }
}

/// <summary>A plain .NET socket speaking raw HTTP to the server, so that a test can send anything, slowly or broken.</summary>
internal sealed class TestClient : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _pending = [];   // received and not yet returned by ReadResponse

    private TestClient(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    /// <summary>Set once any byte of a response has arrived.</summary>
    public bool Received { get; private set; }

    public static async Task<TestClient> Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var limit = new CancellationTokenSource(ServerHarness.Limit);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), limit.Token);
        return new TestClient(socket);
    }

    /// <summary>A GET of <paramref name="target"/> as HTTP/1.1, with the extra header lines given.</summary>
    public static string Get(string target, string extraHeaders = "") => $"GET {target} HTTP/1.1\r\nHost: test\r\n{extraHeaders}\r\n";

    /// <summary>Connects, sends <paramref name="request"/> and reads everything until the server closes.</summary>
    public static async Task<string> Exchange(int port, string request)
    {
        using var client = await Connect(port);
        await client.Send(request);
        return await client.ReadToEnd();
    }

    public async Task Send(string text)
    {
        using var limit = new CancellationTokenSource(ServerHarness.Limit);
        await _socket.SendAsync(Encoding.Latin1.GetBytes(text), SocketFlags.None, limit.Token);
    }

    /// <summary>Reads one response (head, then Content-Length bytes of body), leaving the connection open.</summary>
    public async Task<string> ReadResponse()
    {
        using var limit = new CancellationTokenSource(ServerHarness.Limit);
        while (true)
        {
            var text = Encoding.Latin1.GetString(_pending.ToArray());
            var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0)
            {
                var total = headEnd + 4 + int.Parse(Http.Header(text, "Content-Length") ?? "0");
                if (text.Length >= total)
                {
                    _pending.RemoveRange(0, total);
                    return text[..total];
                }
            }
            if (await ReceiveSome(limit.Token) == 0) throw new IOException($"the server closed after {_pending.Count} bytes of a response");
        }
    }

    /// <summary>Reads until the server closes (or resets) the connection; gives everything received.</summary>
    public async Task<string> ReadToEnd()
    {
        using var limit = new CancellationTokenSource(ServerHarness.Limit);
        try
        {
            while (await ReceiveSome(limit.Token) > 0) { }
        }
        catch (SocketException) { } // reset: what arrived before still counts
        return Encoding.Latin1.GetString(_pending.ToArray());
    }

    /// <summary>Reads what has arrived (waiting for something); 0 at the end of the stream.</summary>
    public async Task<int> ReadSome()
    {
        using var limit = new CancellationTokenSource(ServerHarness.Limit);
        return await ReceiveSome(limit.Token);
    }

    private async Task<int> ReceiveSome(CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, token);
        if (n > 0) Received = true;
        _pending.AddRange(buffer.AsSpan(0, n));
        return n;
    }

    /// <summary>Closes with a reset (SO_LINGER 0), as a client that crashes or gives up does.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>Reading responses in tests.</summary>
internal static class Http
{
    public static int Status(string response) =>
        response.Length >= 12 && response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(response[9..12]) : -1;

    public static string Body(string response) => response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

    public static string? Header(string response, string name)
    {
        var head = response[..Math.Max(0, response.IndexOf("\r\n\r\n", StringComparison.Ordinal))];
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }
}
