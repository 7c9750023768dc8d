using StacklessInteractive.LoadClient;
using StacklessInteractive.Networking;
using Xunit.Abstractions;

namespace StacklessInteractive.Tests;

/// <summary>Runs alone: it holds 10,000 connections and wants the machine's two cores to itself.</summary>
[CollectionDefinition(nameof(LoadCollection), DisableParallelization = true)]
public sealed class LoadCollection;

/// <summary>
/// 10,000 concurrent connections, each answered: the server in this process, the clients in another (the load client),
/// since one process may hold only 20,000 descriptors here.
/// </summary>
[Collection(nameof(LoadCollection))]
public class NetworkingLoadTests(ITestOutputHelper output)
{
    [Fact]
    public void TenThousandConcurrentConnections_AreEachAnswered()
    {
        const int n = 10_000;
        using var h = new ServerHarness(r => HttpResponse.Text(r.Path), // the load client expects its path back
            new HttpServerOptions { Backlog = 4096, IdleTimeout = TimeSpan.FromSeconds(60) });
        using var client = LoadClientProcess.Start(h.Server.EndPoint, n, timeout: TimeSpan.FromSeconds(50));

        var connected = client.WaitUntilConnected(TimeSpan.FromSeconds(40));
        Assert.True(connected == n, $"the client connected {connected} of {n}: {client.Errors}");
        h.WaitUntil(s => s.ActiveConnections == n, $"{n} connection tasklets alive at once");
        client.Go();
        var result = client.WaitForExit(TimeSpan.FromSeconds(40));
        output.WriteLine(result.Summary);

        Assert.True(result.ExitCode == 0, $"the load client exited with {result.ExitCode}: {result.Summary}\n{result.Errors}");
        Assert.Equal(n, result.Field("answered"));
        Assert.Equal(n, h.Server.PeakConnections);
        Assert.Equal(n, h.Server.ConnectionsAccepted);
        h.WaitUntil(s => s.RequestsServed == n && s.ActiveConnections == 0, "every connection answered and ended");
        h.StopAndAssertClean();
    }
}
