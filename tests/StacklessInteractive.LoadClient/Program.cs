using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StacklessInteractive.LoadClient;

/// <summary>
/// Opens N connections to an HTTP server, holds them all open until every one is connected (so that the server
/// holds N at once), then sends one request on each and checks each response. Prints one summary line on stdout
/// and exits 0 when all N were answered correctly, 1 otherwise, 2 for bad usage. Stops by itself within the timeout.
/// </summary>
/// <remarks>
/// The request on connection i is <c>GET /load/i</c> with <c>Connection: close</c>; the server must answer 200 with
/// the request's path as its body, then close. Connections are opened at a bounded rate with a bounded number in
/// flight (the kernel's SYN and accept queues hold a few thousand), each retried a few times.
/// </remarks>
internal static class Program
{
    private const string Usage =
        """
        usage: StacklessInteractive.LoadClient HOST PORT N [options]

          --rate R          start at most R connects per second (default 10000)
          --in-flight K     at most K connects pending at once (default 512)
          --retries K       attempts per connection after the first (default 5)
          --timeout S       give up after S seconds in all (default 60)
          --go-on-stdin     once all N are connected, print "ready connected=N" and wait for a line on stdin
                            before sending the requests (lets the server be observed with all N open)

        output: connected=N answered=N failed=0 connect_seconds=S request_seconds=S seconds=S requests_per_second=R
        """;

    private static async Task<int> Main(string[] args)
    {
        Settings settings;
        try
        {
            settings = Settings.Parse(args);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
        using var deadline = new CancellationTokenSource(settings.Timeout);
        var run = new LoadRun(settings, deadline.Token);
        var ok = await run.RunAsync();
        Console.WriteLine(run.Summary());
        return ok ? 0 : 1;
    }
}

internal sealed record Settings(IPEndPoint Server, int Connections, int Rate, int InFlight, int Retries, TimeSpan Timeout, bool GoOnStdin)
{
    public static Settings Parse(string[] args)
    {
        var positional = new List<string>();
        int rate = 10_000, inFlight = 512, retries = 5, timeout = 60;
        var goOnStdin = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rate": rate = Number(args, ++i, 1); break;
                case "--in-flight": inFlight = Number(args, ++i, 1); break;
                case "--retries": retries = Number(args, ++i, 0); break;
                case "--timeout": timeout = Number(args, ++i, 1); break;
                case "--go-on-stdin": goOnStdin = true; break;
                case var a when a.StartsWith("--", StringComparison.Ordinal): throw new FormatException($"unknown option '{a}'.");
                default: positional.Add(args[i]); break;
            }
        }
        if (positional.Count != 3) throw new FormatException("HOST, PORT and N are expected.");
        if (!IPAddress.TryParse(positional[0], out var host)) throw new FormatException($"bad HOST '{positional[0]}': an IP address is expected.");
        var port = Number(positional, 1, 1);
        if (port > 65535) throw new FormatException($"bad PORT '{port}'.");
        var n = Number(positional, 2, 1);
        return new Settings(new IPEndPoint(host, port), n, rate, inFlight, retries, TimeSpan.FromSeconds(timeout), goOnStdin);
    }

    private static int Number(IReadOnlyList<string> args, int index, int min)
    {
        if (index >= args.Count) throw new FormatException("a number is missing.");
        var text = args[index].Replace("_", "", StringComparison.Ordinal);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min)
            throw new FormatException($"bad number '{args[index]}' (at least {min}).");
        return n;
    }
}

internal sealed class LoadRun(Settings settings, CancellationToken deadline)
{
    private readonly Socket?[] _sockets = new Socket?[settings.Connections];
    private readonly Stopwatch _clock = new();
    private int _connected, _answered, _failed, _reportedErrors;
    private double _connectSeconds, _requestSeconds;

    public async Task<bool> RunAsync()
    {
        _clock.Start();
        try
        {
            await ConnectAll();
            _connectSeconds = _clock.Elapsed.TotalSeconds;
            if (settings.GoOnStdin)
            {
                Console.WriteLine($"ready connected={_connected}");
                await Task.Run(Console.In.ReadLine, deadline).WaitAsync(deadline); // Console.In reads synchronously
            }
            var requestStart = _clock.Elapsed.TotalSeconds;
            await Task.WhenAll(Enumerable.Range(0, _sockets.Length).Where(i => _sockets[i] is not null).Select(RequestOne));
            _requestSeconds = _clock.Elapsed.TotalSeconds - requestStart;
        }
        catch (OperationCanceledException)
        {
            Error($"gave up after {settings.Timeout.TotalSeconds:0} s");
        }
        finally
        {
            foreach (var socket in _sockets) socket?.Dispose();
        }
        _failed = settings.Connections - _answered;
        return _connected == settings.Connections && _answered == settings.Connections;
    }

    public string Summary()
    {
        var ci = CultureInfo.InvariantCulture;
        var rps = _requestSeconds > 0 ? _answered / _requestSeconds : 0;
        return string.Create(ci, $"connected={_connected} answered={_answered} failed={_failed} connect_seconds={_connectSeconds:0.000} " +
            $"request_seconds={_requestSeconds:0.000} seconds={_clock.Elapsed.TotalSeconds:0.000} requests_per_second={rps:0}");
    }

    /// <summary>Opens every connection: at most <c>InFlight</c> pending, started no faster than <c>Rate</c> per second.</summary>
    private async Task ConnectAll()
    {
        using var slots = new SemaphoreSlim(settings.InFlight);
        var pending = new List<Task>(settings.Connections);
        for (var i = 0; i < settings.Connections; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / settings.Rate);
            if (due > _clock.Elapsed) await Task.Delay(due - _clock.Elapsed, deadline);
            await slots.WaitAsync(deadline);
            var index = i;
            pending.Add(Task.Run(async () =>
            {
                try { await ConnectOne(index); }
                finally { slots.Release(); }
            }, deadline));
        }
        await Task.WhenAll(pending);
    }

    private async Task ConnectOne(int index)
    {
        for (var attempt = 0; ; attempt++)
        {
            var socket = new Socket(settings.Server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(deadline);
                attemptTimeout.CancelAfter(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(settings.Server, attemptTimeout.Token);
                _sockets[index] = socket;
                Interlocked.Increment(ref _connected);
                return;
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !deadline.IsCancellationRequested))
            {
                socket.Dispose();
                if (attempt >= settings.Retries)
                {
                    Error($"connection {index}: not connected after {attempt + 1} attempts: {e.Message}");
                    return;
                }
                await Task.Delay(100 * (attempt + 1), deadline);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>Sends <c>GET /load/i</c> and reads the response to the end of the stream; checks status and body.</summary>
    private async Task RequestOne(int index)
    {
        var socket = _sockets[index]!;
        var path = "/load/" + index.ToString(CultureInfo.InvariantCulture);
        try
        {
            var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {settings.Server}\r\nConnection: close\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, deadline);
            var response = new MemoryStream();
            var buffer = new byte[1024];
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline)) > 0)
            {
                response.Write(buffer, 0, n);
                if (response.Length > 64 * 1024) throw new InvalidDataException("the response is longer than 64 KiB");
            }
            var problem = Check(Encoding.Latin1.GetString(response.GetBuffer(), 0, (int)response.Length), path);
            if (problem is null) Interlocked.Increment(ref _answered);
            else Error($"connection {index}: {problem}");
        }
        catch (Exception e) when (e is SocketException or InvalidDataException)
        {
            Error($"connection {index}: {e.Message}");
        }
    }

    /// <summary>Null when <paramref name="response"/> is a 200 whose body is <paramref name="path"/>; else what is wrong.</summary>
    private static string? Check(string response, string path)
    {
        var headEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0) return $"no complete response ({response.Length} bytes)";
        var lines = response[..headEnd].Split("\r\n");
        if (!lines[0].StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal)) return $"status line '{lines[0]}'";
        var body = response[(headEnd + 4)..];
        var length = lines.Skip(1).Select(l => l.Split(':', 2)).Where(kv => kv.Length == 2 && kv[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(kv => kv[1].Trim()).FirstOrDefault();
        if (length != body.Length.ToString(CultureInfo.InvariantCulture)) return $"Content-Length {length ?? "missing"} for a body of {body.Length} bytes";
        return body == path ? null : $"body '{body}' instead of '{path}'";
    }

    private void Error(string message)
    {
        if (Interlocked.Increment(ref _reportedErrors) <= 10) Console.Error.WriteLine(message);
    }
}
