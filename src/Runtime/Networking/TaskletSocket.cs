using System.Net;
using System.Net.Sockets;

namespace StacklessInteractive.Networking;

/// <summary>
/// A TCP socket whose blocking calls block only the calling tasklet: the talk's <c>Stacklesssocket</c>. Each of
/// <see cref="Connect"/>, <see cref="Accept"/>, <see cref="Send"/>, <see cref="Receive"/>,
/// <see cref="ReceiveExactly"/> and <see cref="CloseGracefully"/> starts the socket's asynchronous operation and
/// waits on it with <see cref="Scheduler.BlockOn{T}(Task{T})"/>, so a tasklet body reads like synchronous code:
/// <c>var n = await sock.Receive(buffer);</c>. The other tasklets run meanwhile, and when every tasklet waits on
/// I/O the scheduler sleeps until an operation completes.
/// </summary>
/// <remarks>
/// <para>An operation that the socket completes at once (data already received, a connection already queued)
/// returns without a switch. Called by the main tasklet, an operation runs the other tasklets until it completes.</para>
/// <para><b>Timeouts.</b> With <see cref="Timeout"/> set, an operation that does not complete in time raises
/// <see cref="TimeoutException"/>; the <c>cancellationToken</c> of each operation cancels it with
/// <see cref="OperationCanceledException"/> (give a token from a <see cref="CancellationTokenSource"/> with a
/// deadline to bound several operations together). After a timeout or a cancellation the connection is in an
/// unknown state (part of the data may have been sent or consumed): close it.</para>
/// <para><see cref="Shutdown"/> and <see cref="Close"/> never block: the kernel sends what is queued and the
/// FIN by itself, so they may be called from <c>finally</c> blocks, including those a
/// <see cref="Tasklet.Kill"/> runs.</para>
/// </remarks>
public sealed class TaskletSocket : IDisposable
{
    private readonly Scheduler _scheduler;
    private readonly Socket _socket;

    /// <summary>Creates an unconnected TCP socket of <paramref name="family"/> (IPv4 by default) whose calls block tasklets of <paramref name="scheduler"/>.</summary>
    public TaskletSocket(Scheduler scheduler, AddressFamily family = AddressFamily.InterNetwork)
        : this(scheduler, new Socket(family, SocketType.Stream, ProtocolType.Tcp)) { }

    /// <summary>Wraps an existing socket.</summary>
    public TaskletSocket(Scheduler scheduler, Socket socket)
    {
        _scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
        _socket = socket ?? throw new ArgumentNullException(nameof(socket));
    }

    /// <summary>
    /// A listening socket bound to <paramref name="endPoint"/> (127.0.0.1 on a port the system chooses when null);
    /// <see cref="LocalEndPoint"/> gives the port chosen. <paramref name="backlog"/> is the kernel's queue of
    /// connections not yet accepted (Linux caps it at <c>net.core.somaxconn</c>).
    /// </summary>
    public static TaskletSocket Listen(Scheduler scheduler, IPEndPoint? endPoint = null, int backlog = 512)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(backlog);
        endPoint ??= new IPEndPoint(IPAddress.Loopback, 0);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true); // rebind past TIME_WAIT
            socket.Bind(endPoint);
            socket.Listen(backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new TaskletSocket(scheduler, socket);
    }

    /// <summary>The wrapped socket, for options (<see cref="Socket.NoDelay"/>, buffer sizes, ...).</summary>
    public Socket Socket => _socket;

    /// <summary>The scheduler whose tasklets this socket blocks.</summary>
    public Scheduler Scheduler => _scheduler;

    /// <summary>The local address and port (for a listener bound to port 0, the port chosen).</summary>
    public IPEndPoint? LocalEndPoint => _socket.LocalEndPoint as IPEndPoint;

    /// <summary>The peer's address and port, once connected.</summary>
    public IPEndPoint? RemoteEndPoint => _socket.RemoteEndPoint as IPEndPoint;

    /// <summary>
    /// How long each operation may take before it raises <see cref="TimeoutException"/>;
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> (the default) for no limit.
    /// </summary>
    public TimeSpan Timeout
    {
        get;
        set
        {
            if (value != System.Threading.Timeout.InfiniteTimeSpan) ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>Bytes received and not yet read (never blocks).</summary>
    public int Available => _socket.Available;

    /// <summary>Connects to <paramref name="remote"/>, blocking the calling tasklet until the connection is made.</summary>
    public Operation Connect(EndPoint remote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var timeout = StartTimeout(cancellationToken);
        var op = Wait(ConnectCore(remote, timeout.Token), timeout, "connect");
        return op.AsOperation();
    }

    private async ValueTask<bool> ConnectCore(EndPoint remote, CancellationToken token)
    {
        await _socket.ConnectAsync(remote, token).ConfigureAwait(false);
        return true;
    }

    /// <summary>Accepts the next connection of a listening socket, blocking the calling tasklet until one comes.</summary>
    public Operation<TaskletSocket> Accept(CancellationToken cancellationToken = default)
    {
        var timeout = StartTimeout(cancellationToken);
        return Wait(AcceptCore(timeout.Token), timeout, "accept");
    }

    private async ValueTask<TaskletSocket> AcceptCore(CancellationToken token) =>
        new(_scheduler, await _socket.AcceptAsync(token).ConfigureAwait(false));

    /// <summary>
    /// Receives at most <c>buffer.Length</c> bytes, blocking the calling tasklet until some arrive; 0 means the
    /// peer closed its side. An empty buffer waits until data is available without taking any (a connection
    /// that waits so holds no buffer).
    /// </summary>
    public Operation<int> Receive(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var timeout = StartTimeout(cancellationToken);
        return Wait(_socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token), timeout, "receive");
    }

    /// <summary>
    /// Receives until <paramref name="buffer"/> is full or the peer closes its side; gives the number of bytes
    /// received, less than <c>buffer.Length</c> only at the end of the stream. One wait for the calling tasklet;
    /// the timeout bounds the whole.
    /// </summary>
    public Operation<int> ReceiveExactly(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var timeout = StartTimeout(cancellationToken);
        return Wait(ReceiveExactlyCore(buffer, timeout.Token), timeout, "receive");
    }

    private async ValueTask<int> ReceiveExactlyCore(Memory<byte> buffer, CancellationToken token)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await _socket.ReceiveAsync(buffer[total..], SocketFlags.None, token).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>
    /// Sends every byte of <paramref name="data"/> (Python's <c>sendall</c>), blocking the calling tasklet while the
    /// kernel's buffers are full; gives <c>data.Length</c>. A peer that has gone raises <see cref="SocketException"/>.
    /// </summary>
    public Operation<int> Send(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var timeout = StartTimeout(cancellationToken);
        return Wait(SendCore(data, timeout.Token), timeout, "send");
    }

    private async ValueTask<int> SendCore(ReadOnlyMemory<byte> data, CancellationToken token)
    {
        var sent = 0;
        while (sent < data.Length) sent += await _socket.SendAsync(data[sent..], SocketFlags.None, token).ConfigureAwait(false);
        return sent;
    }

    /// <summary>
    /// Shuts down one direction or both (<see cref="SocketShutdown.Send"/> sends the FIN: the peer reads the end of
    /// the stream). Never blocks; a socket already closed or reset by the peer is ignored.
    /// </summary>
    public void Shutdown(SocketShutdown how = SocketShutdown.Send)
    {
        try { _socket.Shutdown(how); }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>
    /// A close that lets the peer read everything sent: shuts down sending, then reads and discards what the peer
    /// still sends until it closes its side or <paramref name="linger"/> has passed, then closes. Closing at once
    /// with unread data would make the kernel reset the connection, and the peer could lose the last response.
    /// Blocks only the calling tasklet; never raises for a peer that has gone.
    /// </summary>
    public Operation CloseGracefully(TimeSpan linger)
    {
        if (linger != System.Threading.Timeout.InfiniteTimeSpan) ArgumentOutOfRangeException.ThrowIfLessThan(linger, TimeSpan.Zero);
        Shutdown(SocketShutdown.Send);
        var timeout = OperationTimeout.Start(linger, default);
        var op = Wait(DrainCore(timeout.Token), timeout, "close");
        return op.AsOperation();
    }

    private async ValueTask<bool> DrainCore(CancellationToken token)
    {
        var scratch = new byte[1024];
        try
        {
            while (await _socket.ReceiveAsync(scratch, SocketFlags.None, token).ConfigureAwait(false) > 0) { }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        finally
        {
            _socket.Dispose();
        }
        return true;
    }

    /// <summary>Closes the socket at once; pending operations fail. Never blocks; closing twice does nothing.</summary>
    public void Close() => _socket.Dispose();

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose() => Close();

    /// <inheritdoc/>
    public override string ToString() => $"TaskletSocket {LocalEndPoint} -> {RemoteEndPoint}";

    private OperationTimeout StartTimeout(CancellationToken cancellationToken) => OperationTimeout.Start(Timeout, cancellationToken);

    /// <summary>
    /// Blocks the calling tasklet on <paramref name="pending"/>, unless it already completed. With a timer, a
    /// cancellation by the timer becomes a <see cref="TimeoutException"/>, and the timer is released at the end.
    /// </summary>
    private Operation<T> Wait<T>(ValueTask<T> pending, OperationTimeout timeout, string operation)
    {
        if (pending.IsCompletedSuccessfully)
        {
            timeout.Dispose();
            return new Operation<T>(pending.Result);
        }
        return _scheduler.BlockOn(timeout.HasTimer ? Timed(pending, timeout, operation) : pending.AsTask());
    }

    private static async Task<T> Timed<T>(ValueTask<T> pending, OperationTimeout timeout, string operation)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.Expired)
        {
            throw timeout.Exception(operation);
        }
        finally
        {
            timeout.Dispose();
        }
    }
}
