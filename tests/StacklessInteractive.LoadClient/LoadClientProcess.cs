using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace StacklessInteractive.LoadClient;

/// <summary>
/// Runs the load client in a process of its own (<c>dotnet StacklessInteractive.LoadClient.dll HOST PORT N
/// --go-on-stdin</c>), for the load test and the http-load benchmark, which reference this project so that the
/// client's dll and runtimeconfig sit next to theirs. Every wait is bounded; disposing kills a client still running.
/// </summary>
public sealed class LoadClientProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly StringBuilder _errors = new();

    private LoadClientProcess(Process process) => _process = process;

    /// <summary>Where the client's dll is: next to the assembly of the test or benchmark that references it.</summary>
    public static string DllPath => typeof(LoadClientProcess).Assembly.Location;

    /// <summary>
    /// Starts a client that opens <paramref name="connections"/> connections to <paramref name="server"/>, then waits
    /// for <see cref="Go"/> before sending the requests; it gives up by itself after <paramref name="timeout"/>.
    /// </summary>
    public static LoadClientProcess Start(IPEndPoint server, int connections, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { DllPath, server.Address.ToString(), server.Port.ToString(CultureInfo.InvariantCulture),
                     connections.ToString(CultureInfo.InvariantCulture), "--go-on-stdin",
                     "--timeout", Math.Ceiling(timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(arg);
        var process = new Process { StartInfo = info };
        var client = new LoadClientProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) client._lines.CompleteAdding();
            else client._lines.Add(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (client._errors) client._errors.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return client;
    }

    /// <summary>
    /// Waits until the client says all its connections are open (its "ready connected=N" line); gives how many
    /// connected, or -1 when it did not say so within <paramref name="limit"/> (or exited first).
    /// </summary>
    public int WaitUntilConnected(TimeSpan limit)
    {
        var line = NextLine(limit);
        return line is not null && line.StartsWith("ready connected=", StringComparison.Ordinal)
            ? int.Parse(line["ready connected=".Length..], CultureInfo.InvariantCulture)
            : -1;
    }

    /// <summary>Lets the client send its requests.</summary>
    public void Go()
    {
        _process.StandardInput.WriteLine("go");
        _process.StandardInput.Flush();
    }

    /// <summary>Waits for the client's summary line and its exit; a client still running after <paramref name="limit"/> is killed.</summary>
    public LoadResult WaitForExit(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var summary = NextLine(limit) ?? "";
        if (!_process.WaitForExit(Remaining(limit, clock)))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            return new LoadResult(-1, summary, Errors + $"\nthe client did not exit within {limit.TotalSeconds:0} s and was killed");
        }
        _process.WaitForExit(); // drains the output and error events
        return new LoadResult(_process.ExitCode, summary, Errors);
    }

    /// <summary>What the client wrote on stderr so far.</summary>
    public string Errors
    {
        get { lock (_errors) return _errors.ToString(); }
    }

    private string? NextLine(TimeSpan limit)
    {
        try
        {
            return _lines.TryTake(out var line, limit) ? line : null;
        }
        catch (InvalidOperationException)
        {
            return null; // the client's stdout ended
        }
    }

    private static TimeSpan Remaining(TimeSpan limit, Stopwatch clock) =>
        limit > clock.Elapsed ? limit - clock.Elapsed : TimeSpan.Zero;

    /// <summary>The dotnet host that runs this process, else the one on the PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }

    /// <summary>Kills the client if it still runs.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { } // never started
        _process.Dispose();
        _lines.Dispose();
    }
}
