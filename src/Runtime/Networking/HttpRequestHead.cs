namespace StacklessInteractive.Networking;

/// <summary>A request line and headers as <see cref="HttpRequestParser"/> read them, before the body arrives.</summary>
internal sealed class HttpRequestHead(string method, string target, string version, List<KeyValuePair<string, string>> headers)
{
    public string Method { get; } = method;
    public string Target { get; } = target;
    public string Version { get; } = version;
    public List<KeyValuePair<string, string>> Headers { get; } = headers;
    public long ContentLength { get; set; }
    public bool KeepAlive { get; set; }
    public bool ExpectContinue { get; set; }
}
