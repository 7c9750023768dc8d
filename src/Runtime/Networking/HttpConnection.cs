using System.Buffers;
using System.Net.Sockets;

namespace StacklessInteractive.Networking;

/// <summary>
/// One client connection of a <see cref="TaskletHttpServer"/> and the body of its tasklet (<see cref="Serve"/>): read
/// a request, send it to the handler tasklet with a reply channel, wait on that channel, write the response; again
/// while the client keeps the connection alive. The talk's <c>MyRequestHandler.doWork</c>.
/// </summary>
/// <remarks>
/// Its helpers are <see cref="TaskletBody"/> methods, which cannot return values: they leave what they read in the
/// fields below. Every way out of <see cref="Serve"/> (the client leaving, a fault, a kill) ends in
/// <see cref="Release"/>, which closes the socket and gives the buffer back.
/// </remarks>
internal sealed class HttpConnection(TaskletHttpServer server, TaskletSocket socket)
{
    private static readonly byte[] s_continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    private readonly Channel<HttpResponse> _reply = new(server.Scheduler);
    private byte[]? _buffer;         // rented while a request is being read, or bytes of the next one wait in it
    private int _count;              // bytes received and not yet consumed, at the start of _buffer
    private HttpRequest? _request;   // what ReadRequest read, or null
    private int _refusal;            // the status ReadRequest refuses the request with, or 0
    private bool _released;

    /// <summary>The tasklet running <see cref="Serve"/>.</summary>
    public Tasklet? Tasklet { get; set; }

    public async TaskletBody Serve()
    {
        try
        {
            socket.Socket.NoDelay = true; // a response goes out in one send: do not wait for the client's ACK
            while (true)
            {
                await ReadRequest();
                if (_refusal != 0)
                {
                    await Refuse(_refusal);
                    return;
                }
                if (_request is not { } request) return; // the client left, or stayed idle too long
                _request = null;

                await server.Requests.Send(request);    // the handler tasklet takes it...
                var response = await _reply.Receive();  // ...and answers here
                var keepAlive = request.KeepAlive && server.Options.KeepAlive && !server.IsStopping;
                using (var deadline = new CancellationTokenSource(server.Options.SendTimeout))
                    await socket.Send(response.Serialize(keepAlive, omitBody: request.Method == "HEAD"), deadline.Token);
                server.CountServed();
                if (!keepAlive)
                {
                    if (_count > 0 || socket.Available > 0) await socket.CloseGracefully(server.Options.LingerTimeout);
                    return;
                }
                if (_count == 0) ReturnBuffer(); // an idle connection holds no buffer
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or TimeoutException or OperationCanceledException)
        {
            server.CountAborted(); // reset by the client, gone mid-response, or too slow to read the response
        }
        finally
        {
            Release();
        }
    }

    /// <summary>
    /// Reads the next request into <see cref="_request"/>, or sets <see cref="_refusal"/>; leaves both unset when the
    /// client closed or stayed idle past the idle timeout.
    /// </summary>
    private async TaskletBody ReadRequest()
    {
        _request = null;
        _refusal = 0;
        var options = server.Options;
        if (_count == 0)
        {
            // Wait for the first byte without a buffer: thousands of idle connections hold none.
            using var idle = new CancellationTokenSource(options.IdleTimeout);
            try
            {
                await socket.Receive(Memory<byte>.Empty, idle.Token);
            }
            catch (OperationCanceledException) when (idle.IsCancellationRequested)
            {
                server.CountIdleTimeout();
                return;
            }
        }
        _buffer ??= ArrayPool<byte>.Shared.Rent(options.MaxHeaderBytes);
        using var deadline = new CancellationTokenSource(options.RequestTimeout);
        try
        {
            int headEnd;
            var scanned = 0;
            while (true)
            {
                Consume(HttpRequestParser.LeadingEmptyLines(_buffer.AsSpan(0, _count)));
                headEnd = HttpRequestParser.FindHeadEnd(_buffer.AsSpan(0, _count), scanned);
                if (headEnd >= 0) break;
                scanned = Math.Max(0, _count - 3);
                if (_count >= options.MaxHeaderBytes)
                {
                    _refusal = 413;
                    return;
                }
                var n = await socket.Receive(_buffer.AsMemory(_count, options.MaxHeaderBytes - _count), deadline.Token);
                if (n == 0)
                {
                    if (_count > 0) server.CountIncomplete();
                    return;
                }
                _count += n;
            }
            _refusal = HttpRequestParser.Parse(_buffer.AsSpan(0, headEnd), out var head);
            if (head is null) return;
            if (head.ContentLength > options.MaxBodyBytes)
            {
                _refusal = 413;
                return;
            }
            var body = head.ContentLength == 0 ? [] : new byte[head.ContentLength];
            var buffered = Math.Min(_count - headEnd, body.Length);
            _buffer.AsSpan(headEnd, buffered).CopyTo(body);
            Consume(headEnd + buffered);
            if (buffered < body.Length)
            {
                if (head.ExpectContinue) await socket.Send(s_continue, deadline.Token);
                var n = await socket.ReceiveExactly(body.AsMemory(buffered), deadline.Token);
                if (n < body.Length - buffered)
                {
                    server.CountIncomplete();
                    return;
                }
            }
            _request = new HttpRequest(head, body, _reply);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            _refusal = 408; // the request did not arrive in time: a client trickling bytes
        }
    }

    /// <summary>Answers a request that cannot be served with <paramref name="status"/>, then closes.</summary>
    private async TaskletBody Refuse(int status)
    {
        server.CountRefused();
        using (var deadline = new CancellationTokenSource(server.Options.SendTimeout))
            await socket.Send(HttpResponse.Status(status).Serialize(keepAlive: false, omitBody: false), deadline.Token);
        // The client may still be sending (an oversized body): read and drop it, or closing would reset the
        // connection and the client could lose the response.
        await socket.CloseGracefully(server.Options.LingerTimeout);
    }

    private void Consume(int n)
    {
        if (n == 0) return;
        _buffer.AsSpan(n, _count - n).CopyTo(_buffer);
        _count -= n;
    }

    private void ReturnBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _count = 0;
    }

    /// <summary>Closes the socket, gives the buffer back and leaves the server's registry; twice does nothing.</summary>
    public void Release()
    {
        if (_released) return;
        _released = true;
        socket.Close();
        ReturnBuffer();
        server.Remove(this);
    }
}
