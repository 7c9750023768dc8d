using System.Text;

namespace StacklessInteractive.Networking;

/// <summary>
/// One request as a connection tasklet sends it to the handler tasklet over <see cref="TaskletHttpServer.Requests"/>:
/// the talk's <c>(path, body, channel)</c>. The handler tasklet answers on <see cref="Reply"/>.
/// </summary>
public sealed class HttpRequest
{
    private readonly HttpRequestHead _head;

    internal HttpRequest(HttpRequestHead head, byte[] body, Channel<HttpResponse> reply)
    {
        _head = head;
        Body = body;
        Reply = reply;
    }

    /// <summary>The method: GET, POST, ...</summary>
    public string Method => _head.Method;

    /// <summary>The request target as sent: path and query (<c>/search?q=stackless</c>).</summary>
    public string Target => _head.Target;

    /// <summary>The target's path, without the query.</summary>
    public string Path => _head.Target.IndexOf('?') is var q and >= 0 ? _head.Target[..q] : _head.Target;

    /// <summary>The target's query, without the '?'; empty when there is none.</summary>
    public string Query => _head.Target.IndexOf('?') is var q and >= 0 ? _head.Target[(q + 1)..] : "";

    /// <summary>HTTP/1.1 or HTTP/1.0.</summary>
    public string Version => _head.Version;

    /// <summary>The headers in the order they came, names as sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _head.Headers;

    /// <summary>The body (empty without a Content-Length).</summary>
    public byte[] Body { get; }

    /// <summary>The body decoded as UTF-8.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>True when the client keeps the connection open for another request.</summary>
    public bool KeepAlive => _head.KeepAlive;

    /// <summary>The channel on which the connection tasklet waits for the response.</summary>
    public Channel<HttpResponse> Reply { get; }

    /// <summary>The first header named <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? GetHeader(string name)
    {
        foreach (var (key, value) in _head.Headers)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Method} {Target} {Version} ({Body.Length} bytes)";
}
