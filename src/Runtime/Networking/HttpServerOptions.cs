using System.Net;

namespace StacklessInteractive.Networking;

/// <summary>The limits and timeouts of a <see cref="TaskletHttpServer"/>; a timeout may be <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
public sealed class HttpServerOptions
{
    /// <summary>Where to listen: 127.0.0.1 on a port the system chooses (see <see cref="TaskletHttpServer.Port"/>).</summary>
    public IPEndPoint EndPoint { get; set; } = new(IPAddress.Loopback, 0);

    /// <summary>The kernel's queue of connections not yet accepted (Linux caps it at <c>net.core.somaxconn</c>).</summary>
    public int Backlog { get; set; } = 4096;

    /// <summary>The request line and headers together may take at most this many bytes; more gets 413.</summary>
    public int MaxHeaderBytes { get; set; } = 8 * 1024;

    /// <summary>A body (its Content-Length) may take at most this many bytes; more gets 413.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Once the first byte of a request has arrived, the whole request (headers and body) must arrive within this
    /// time, or the client gets 408 and the connection is closed: a client trickling bytes is cut off.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a connection may wait for its next request (the first one included) before it is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long sending one response may take (a client that does not read) before the connection is closed.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a closing connection waits for the client to close its side (see <see cref="TaskletSocket.CloseGracefully"/>).</summary>
    public TimeSpan LingerTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When false, every response closes its connection (HTTP/1.1 keep-alive off).</summary>
    public bool KeepAlive { get; set; } = true;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(EndPoint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Backlog);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeaderBytes, 64);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBodyBytes, Array.MaxLength);
        foreach (var t in new[] { RequestTimeout, IdleTimeout, SendTimeout, LingerTimeout })
            if (t != Timeout.InfiniteTimeSpan) ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(t, TimeSpan.Zero);
    }
}
