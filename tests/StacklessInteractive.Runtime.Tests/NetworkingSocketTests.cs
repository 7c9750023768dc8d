using System.Net;
using System.Net.Sockets;
using System.Text;
using StacklessInteractive.Networking;

namespace StacklessInteractive.Tests;

/// <summary>TaskletSocket, the talk's Stacklesssocket: socket calls that block only the calling tasklet.</summary>
public class NetworkingSocketTests
{
    private static readonly TimeSpan SocketLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public void Echo_BetweenTwoTasklets_WhileAThirdKeepsRunning()
    {
        var s = new Scheduler();
        using var listener = TaskletSocket.Listen(s);
        var message = Encoding.ASCII.GetBytes("hello from one tasklet to another, through the kernel");
        byte[]? echoed = null;
        var ticks = 0;
        var clientDone = false;

        async TaskletBody EchoServer()
        {
            using var connection = await listener.Accept();
            connection.Timeout = SocketLimit;
            var buffer = new byte[16]; // smaller than the message: several receives
            int n;
            while ((n = await connection.Receive(buffer)) > 0) await connection.Send(buffer.AsMemory(0, n));
        }

        async TaskletBody Client()
        {
            using var socket = new TaskletSocket(s) { Timeout = SocketLimit };
            await socket.Connect(listener.LocalEndPoint!);
            await socket.Send(message.AsMemory(0, 10));
            await socket.Send(message.AsMemory(10));
            socket.Shutdown(); // the echo server reads the end of the stream and ends
            var echo = new byte[message.Length + 10];
            var n = await socket.ReceiveExactly(echo); // until the server closes: the whole message
            echoed = echo[..n];
            clientDone = true;
        }

        async TaskletBody Ticker()
        {
            // Runs while the other two wait on the sockets: they block only themselves.
            while (!clientDone && ticks < 10_000) { ticks++; await s.BlockOn(Task.Delay(1)); }
        }

        s.Spawn(EchoServer);
        s.Spawn(Client);
        s.Spawn(Ticker);
        ServerHarness.RunWithin(s);
        Assert.Equal(message, echoed);
        Assert.True(ticks > 0);
        Assert.Equal(0, s.AliveCount);
        Assert.Equal(0, s.WaitingIOCount);
    }

    /// <summary>A listener, and a peer tasklet that accepts one connection and then waits for the client to close.</summary>
    private static TaskletSocket ListenWithSilentPeer(Scheduler s)
    {
        var listener = TaskletSocket.Listen(s);
        async TaskletBody Peer()
        {
            using var connection = await listener.Accept();
            connection.Timeout = SocketLimit;
            await connection.Receive(new byte[1]); // 0 once the client closes
        }
        s.Spawn(Peer);
        return listener;
    }

    [Theory]
    [InlineData(true)]  // the socket's Timeout runs out: TimeoutException
    [InlineData(false)] // the operation's own token is cancelled: OperationCanceledException
    public void Receive_NotAnsweredInTime_RaisesTimeoutOrCancellation(bool bySocketTimeout)
    {
        var s = new Scheduler();
        using var listener = ListenWithSilentPeer(s);
        var quickly = TimeSpan.FromMilliseconds(100);
        Exception? raised = null;
        async TaskletBody Client()
        {
            using var socket = new TaskletSocket(s) { Timeout = SocketLimit };
            await socket.Connect(listener.LocalEndPoint!);
            if (bySocketTimeout) socket.Timeout = quickly;
            using var cancel = new CancellationTokenSource(bySocketTimeout ? SocketLimit : quickly);
            try { await socket.Receive(new byte[10], cancel.Token); }
            catch (Exception e) { raised = e; }
        }
        s.Spawn(Client);
        ServerHarness.RunWithin(s);
        if (bySocketTimeout) Assert.IsType<TimeoutException>(raised);
        else Assert.IsAssignableFrom<OperationCanceledException>(raised);
        Assert.Equal(0, s.WaitingIOCount);
    }

    [Fact]
    public void Kill_OfATaskletBlockedInReceive_RunsItsFinally_AndMainSeesTheConnectionEnd()
    {
        var s = new Scheduler();
        using var listener = TaskletSocket.Listen(s);
        var receiving = false;
        var closed = false;
        async TaskletBody Client()
        {
            var socket = new TaskletSocket(s);
            try
            {
                await socket.Connect(listener.LocalEndPoint!);
                receiving = true;
                await socket.Receive(new byte[10]); // nobody sends: blocked until killed
            }
            finally
            {
                socket.Close();
                closed = true;
            }
        }
        var client = s.Spawn(Client);
        using var accepted = listener.Accept().Value; // main's operations run the others until they complete
        accepted.Timeout = SocketLimit;
        for (var i = 0; i < 2000 && !(receiving && client.State == TaskletState.WaitingIO); i++) s.BlockOn(Task.Delay(5));
        Assert.Equal(TaskletState.WaitingIO, client.State);
        Assert.Equal(1, s.WaitingIOCount);

        client.Kill();
        Assert.True(closed);
        Assert.False(client.Alive);
        Assert.Equal(0, s.WaitingIOCount);
        // The killed tasklet's finally closed its socket; closed with a receive pending, .NET resets the connection.
        int received;
        try { received = accepted.Receive(new byte[10]).Value; }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { received = 0; }
        Assert.Equal(0, received);
        Health.AssertStillWorks(s);
    }

    [Fact]
    public void ReceiveExactly_AtTheEndOfTheStream_GivesTheShortCount()
    {
        var s = new Scheduler();
        using var listener = TaskletSocket.Listen(s);
        var received = -1;
        async TaskletBody Sender()
        {
            using var connection = await listener.Accept();
            await connection.Send("12345"u8.ToArray());
        }
        async TaskletBody Receiver()
        {
            using var socket = new TaskletSocket(s) { Timeout = SocketLimit };
            await socket.Connect(listener.LocalEndPoint!);
            received = await socket.ReceiveExactly(new byte[10]);
        }
        s.Spawn(Sender);
        s.Spawn(Receiver);
        ServerHarness.RunWithin(s);
        Assert.Equal(5, received);
    }

    [Fact]
    public void Connect_ToAPortNobodyListensOn_RaisesSocketException()
    {
        var s = new Scheduler();
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        SocketException? raised = null;
        async TaskletBody Client()
        {
            using var socket = new TaskletSocket(s) { Timeout = SocketLimit };
            try { await socket.Connect(new IPEndPoint(IPAddress.Loopback, port)); }
            catch (SocketException e) { raised = e; }
        }
        s.Spawn(Client);
        ServerHarness.RunWithin(s);
        Assert.Equal(SocketError.ConnectionRefused, raised?.SocketErrorCode);
    }

    [Fact]
    public void Listen_OnPortZero_ReportsThePortChosen_On127001()
    {
        var s = new Scheduler();
        using var listener = TaskletSocket.Listen(s);
        Assert.Equal(IPAddress.Loopback, listener.LocalEndPoint!.Address);
        Assert.NotEqual(0, listener.LocalEndPoint.Port);
    }
}
