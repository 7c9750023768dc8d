using System.Net;
using System.Net.Sockets;

namespace StacklessInteractive.Networking;

/// <summary>
/// A minimal HTTP/1.1 server made of tasklets, the server side of the talk: an acceptor tasklet accepts connections
/// on a <see cref="TaskletSocket"/> and spawns one tasklet per connection; each connection tasklet reads a request and
/// rendezvouses with the handler tasklet over <see cref="Requests"/>, sending the request with a reply channel and
/// waiting on that channel (the talk's <c>MyRequestHandler</c>). The handler tasklet calls the handler function and
/// sends back what it returns.
/// </summary>
/// <remarks>
/// <para><b>Running it.</b> <see cref="Start"/> listens and spawns the tasklets; the scheduler's loop runs them
/// (<see cref="Scheduler.Run()"/>, which keeps running while the server waits on I/O, and returns once the server
/// has stopped). <see cref="Stop"/> may be called from any thread.</para>
/// <para><b>Faults.</b> A malformed request gets 400, too large a head or body 413, a request that does not
/// arrive within <see cref="HttpServerOptions.RequestTimeout"/> 408, a handler that throws 500 (the handler
/// tasklet carries on), a Transfer-Encoding 501; each then closes its connection. A client that disconnects
/// mid-request or mid-response just loses its connection. Every other client is served meanwhile.</para>
/// <para><b>The handler</b> is a plain function, called in the handler tasklet's step: it must not call Stackless
/// operations (the connection tasklets wait for it one at a time).</para>
/// <para>Counters (<see cref="ActiveConnections"/>, <see cref="RequestsServed"/>, ...) are written by the scheduler's
/// loop and may be read from any thread.</para>
/// </remarks>
public sealed class TaskletHttpServer
{
    private const string ConnectionName = "http-connection";

    private readonly Func<HttpRequest, HttpResponse> _handler;
    private readonly HashSet<HttpConnection> _connections = [];
    private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskletSocket? _listener;
    private IPEndPoint? _endPoint;
    private Tasklet? _acceptor, _handlerTasklet;
    private volatile bool _started, _stopping;
    private long _accepted, _served, _refused, _aborted, _incomplete, _idleTimeouts, _handlerErrors, _acceptErrors;
    private int _active, _peak;

    /// <summary>A server whose handler tasklet answers each request with <paramref name="handler"/>; call <see cref="Start"/>.</summary>
    public TaskletHttpServer(Scheduler scheduler, Func<HttpRequest, HttpResponse> handler, HttpServerOptions? options = null)
    {
        Scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        Options = options ?? new HttpServerOptions();
        Options.Validate();
        Requests = new Channel<HttpRequest>(scheduler, "http-requests");
    }

    /// <summary>The scheduler whose tasklets serve.</summary>
    public Scheduler Scheduler { get; }

    /// <summary>The limits and timeouts.</summary>
    public HttpServerOptions Options { get; }

    /// <summary>The channel on which connection tasklets send requests and the handler tasklet receives them.</summary>
    public Channel<HttpRequest> Requests { get; }

    /// <summary>Where the server listens, once started (with the port chosen when the options asked for port 0).</summary>
    public IPEndPoint EndPoint => _endPoint ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The port the server listens on, once started.</summary>
    public int Port => EndPoint.Port;

    /// <summary>True once <see cref="Stop"/> was called.</summary>
    public bool IsStopping => _stopping || _stopRequested.Task.IsCompleted;

    /// <summary>Completes when the server has stopped: its tasklets ended and its sockets closed.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Connections accepted so far.</summary>
    public long ConnectionsAccepted => Volatile.Read(ref _accepted);

    /// <summary>Connection tasklets alive now.</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>The most connection tasklets alive at once.</summary>
    public int PeakConnections => Volatile.Read(ref _peak);

    /// <summary>Responses from the handler written in full (a 500 for a handler that threw included).</summary>
    public long RequestsServed => Volatile.Read(ref _served);

    /// <summary>Requests refused by the server itself (400, 408, 413, 501, 505), each closing its connection.</summary>
    public long RequestsRefused => Volatile.Read(ref _refused);

    /// <summary>Connections ended by a socket error or a send timeout: reset by the client, gone mid-response, not reading.</summary>
    public long ConnectionsAborted => Volatile.Read(ref _aborted);

    /// <summary>Connections the client closed in the middle of a request.</summary>
    public long IncompleteRequests => Volatile.Read(ref _incomplete);

    /// <summary>Connections closed after waiting longer than <see cref="HttpServerOptions.IdleTimeout"/> for a request.</summary>
    public long IdleTimeouts => Volatile.Read(ref _idleTimeouts);

    /// <summary>Times the handler threw (each answered with 500).</summary>
    public long HandlerErrors => Volatile.Read(ref _handlerErrors);

    /// <summary>Accepts that failed and were retried (out of file descriptors, a connection reset before its accept).</summary>
    public long AcceptErrors => Volatile.Read(ref _acceptErrors);

    /// <summary>What the handler threw last, or null.</summary>
    public Exception? LastHandlerError { get; private set; }

    /// <summary>
    /// Listens, then spawns the acceptor, the handler tasklet and a supervisor that waits for <see cref="Stop"/>. They
    /// run when the scheduler runs. Call it from the main tasklet while the scheduler is not running, or from a tasklet.
    /// </summary>
    /// <exception cref="InvalidOperationException">Started twice, or stopped already.</exception>
    public TaskletHttpServer Start()
    {
        if (_started) throw new InvalidOperationException("The server is already started.");
        if (IsStopping) throw new InvalidOperationException("The server was stopped.");
        _listener = TaskletSocket.Listen(Scheduler, Options.EndPoint, Options.Backlog);
        _endPoint = _listener.LocalEndPoint;
        _started = true;
        Scheduler.Spawn(Supervise, "http-supervisor");
        _acceptor = Scheduler.Spawn(AcceptConnections, "http-acceptor");
        _handlerTasklet = Scheduler.Spawn(HandleRequests, "http-handler");
        return this;
    }

    /// <summary>
    /// Stops the server: from any thread, a tasklet or main. The supervisor tasklet then kills the acceptor, every
    /// connection tasklet (their <c>finally</c> blocks close the sockets) and the handler tasklet, and closes the
    /// listener; this happens in the scheduler's loop, at once if the loop runs (even asleep on I/O), else when it
    /// next runs. Returns <see cref="Stopped"/>.
    /// </summary>
    public Task Stop()
    {
        _stopRequested.TrySetResult();
        if (!_started) _stopped.TrySetResult();
        return _stopped.Task;
    }

    private async TaskletBody Supervise()
    {
        await Scheduler.BlockOn(_stopRequested.Task);
        _stopping = true;
        await _acceptor!.Kill();
        _listener!.Close();
        foreach (var connection in _connections.ToArray())
        {
            // A connection tasklet that never ran dies without running its finally blocks: release it here.
            if (connection.Tasklet is { Alive: true } t) await t.Kill();
            connection.Release();
        }
        await _handlerTasklet!.Kill();
        _stopped.TrySetResult();
    }

    private async TaskletBody AcceptConnections()
    {
        var accepted = 0;
        while (true)
        {
            TaskletSocket socket;
            try
            {
                socket = await _listener!.Accept();
            }
            catch (SocketException)
            {
                // Out of file descriptors, or a connection reset while queued: try again shortly.
                _acceptErrors++;
                await Scheduler.BlockOn(Task.Delay(50));
                continue;
            }
            var connection = new HttpConnection(this, socket);
            _connections.Add(connection);
            _accepted++;
            if (++_active > _peak) _peak = _active;
            connection.Tasklet = Scheduler.Spawn(connection.Serve, ConnectionName);
            // Accepts complete at once while connections are queued: let the new tasklets start now and then.
            if (++accepted % 64 == 0) await Scheduler.Schedule();
        }
    }

    private async TaskletBody HandleRequests()
    {
        while (true)
        {
            var request = await Requests.Receive();
            HttpResponse response;
            try
            {
                response = _handler(request) ?? throw new InvalidOperationException("The handler returned null.");
                response.Validate();
            }
            catch (Exception e) when (e is not TaskletExit)
            {
                _handlerErrors++;
                LastHandlerError = e;
                response = HttpResponse.Status(500);
            }
            await request.Reply.Send(response);
        }
    }

    internal void Remove(HttpConnection connection)
    {
        if (_connections.Remove(connection)) _active--;
    }

    internal void CountServed() => _served++;
    internal void CountRefused() => _refused++;
    internal void CountAborted() => _aborted++;
    internal void CountIncomplete() => _incomplete++;
    internal void CountIdleTimeout() => _idleTimeouts++;
}
