using System.Globalization;
using System.Text;

namespace StacklessInteractive.Networking;

/// <summary>
/// What a handler returns: a status, a body and extra headers. The server adds Content-Length and Connection
/// itself, so those (and Transfer-Encoding) may not be set in <see cref="Headers"/>.
/// </summary>
public sealed class HttpResponse
{
    /// <summary>A response with <paramref name="body"/> (none when null) of <paramref name="contentType"/>.</summary>
    public HttpResponse(int statusCode = 200, byte[]? body = null, string? contentType = null)
    {
        StatusCode = statusCode;
        Body = body ?? [];
        ContentType = contentType;
    }

    /// <summary>A UTF-8 text response.</summary>
    public static HttpResponse Text(string text, int statusCode = 200) =>
        new(statusCode, Encoding.UTF8.GetBytes(text), "text/plain; charset=utf-8");

    /// <summary>A response whose body is the status's reason phrase: <c>Status(404)</c> says "Not Found".</summary>
    public static HttpResponse Status(int statusCode) => Text(ReasonPhrase(statusCode) + "\n", statusCode);

    /// <summary>The status code, 200 to 599.</summary>
    public int StatusCode { get; }

    /// <summary>The body.</summary>
    public byte[] Body { get; }

    /// <summary>The Content-Type header, or null for none.</summary>
    public string? ContentType { get; }

    /// <summary>Extra headers, in order.</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>Adds a header and returns this response.</summary>
    public HttpResponse WithHeader(string name, string value)
    {
        Headers.Add(new(name, value));
        return this;
    }

    /// <summary>The standard reason phrase of <paramref name="statusCode"/> ("OK", "Not Found", ...).</summary>
    public static string ReasonPhrase(int statusCode) => statusCode switch
    {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => statusCode switch { < 300 => "Success", < 400 => "Redirection", < 500 => "Client Error", _ => "Server Error" },
    };

    /// <summary>Raises when the response cannot be written as it is (the handler tasklet then answers 500).</summary>
    internal void Validate()
    {
        if (StatusCode is < 200 or > 599) throw new InvalidOperationException($"The status code {StatusCode} is not a final status (200-599).");
        if (ContentType is not null) CheckValue(ContentType);
        foreach (var (name, value) in Headers)
        {
            if (name.Length == 0 || !name.All(c => c < 128 && HttpRequestParser.IsTokenChar((byte)c)))
                throw new InvalidOperationException($"'{name}' is not a header name.");
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"The server sets the {name} header itself.");
            CheckValue(value);
        }
    }

    private static void CheckValue(string value)
    {
        foreach (var c in value)
            if (c is '\r' or '\n' or '\0' || c > 255) throw new InvalidOperationException("A header value may not hold CR, LF, NUL or characters above U+00FF.");
    }

    /// <summary>The bytes on the wire: status line, headers, then the body unless <paramref name="omitBody"/> (HEAD).</summary>
    internal byte[] Serialize(bool keepAlive, bool omitBody)
    {
        var head = new StringBuilder(128);
        head.Append("HTTP/1.1 ").Append(StatusCode.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(ReasonPhrase(StatusCode)).Append("\r\n");
        if (ContentType is not null) head.Append("Content-Type: ").Append(ContentType).Append("\r\n");
        head.Append("Content-Length: ").Append(Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        head.Append(keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
        foreach (var (name, value) in Headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("\r\n");
        var text = head.ToString();
        var headLength = Encoding.Latin1.GetByteCount(text);
        var bytes = new byte[headLength + (omitBody ? 0 : Body.Length)];
        Encoding.Latin1.GetBytes(text, bytes);
        if (!omitBody) Body.CopyTo(bytes, headLength);
        return bytes;
    }
}
