using System.Text;

namespace StacklessInteractive.Networking;

/// <summary>
/// Reads an HTTP/1.x request head (RFC 9112): the request line and the header fields up to the blank line. It is
/// strict where leniency would let a request be read two ways (bare CR or LF, folded lines, whitespace before a
/// colon, conflicting Content-Lengths), and refuses what this server does not implement (Transfer-Encoding).
/// </summary>
internal static class HttpRequestParser
{
    /// <summary>The length of the empty lines (CRLF) before a request line, which a server should ignore.</summary>
    public static int LeadingEmptyLines(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i + 1 < data.Length && data[i] == '\r' && data[i + 1] == '\n') i += 2;
        return i;
    }

    /// <summary>The index just past the blank line that ends the head, searching from <paramref name="from"/>; -1 when not there yet.</summary>
    public static int FindHeadEnd(ReadOnlySpan<byte> data, int from)
    {
        var i = data[from..].IndexOf("\r\n\r\n"u8);
        return i < 0 ? -1 : from + i + 4;
    }

    /// <summary>
    /// Parses <paramref name="head"/> (request line, headers, blank line). Returns 0 and the head, or the status to
    /// refuse the request with: 400 when malformed, 501 for a Transfer-Encoding, 505 for a version other than 1.x.
    /// </summary>
    public static int Parse(ReadOnlySpan<byte> head, out HttpRequestHead? request)
    {
        request = null;
        var rest = head[..^2]; // every line, the request line included, now ends with CRLF
        var line = NextLine(ref rest);
        if (line.IndexOfAny((byte)'\r', (byte)'\n') >= 0) return 400;
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0) return 400;
        var afterMethod = line[(sp1 + 1)..];
        var sp2 = afterMethod.IndexOf((byte)' ');
        if (sp2 <= 0) return 400;
        var method = line[..sp1];
        var target = afterMethod[..sp2];
        var version = afterMethod[(sp2 + 1)..];
        if (!IsToken(method)) return 400;
        foreach (var b in target)
            if (b is < 0x21 or > 0x7E) return 400;
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5]) || version[6] != '.'
            || !char.IsAsciiDigit((char)version[7]))
            return 400;
        if (version[5] != '1' || version[7] is not ((byte)'0' or (byte)'1')) return 505;
        var http11 = version[7] == '1';

        var headers = new List<KeyValuePair<string, string>>();
        long contentLength = -1;
        var hosts = 0;
        bool close = false, keepAlive = false, expectContinue = false;
        while (!rest.IsEmpty)
        {
            line = NextLine(ref rest);
            if (line.IsEmpty || line[0] is (byte)' ' or (byte)'\t') return 400; // an obsolete folded line
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon])) return 400; // also refuses whitespace before the colon
            var value = line[(colon + 1)..].Trim(" \t"u8);
            foreach (var b in value)
                if ((b < 0x20 && b != '\t') || b == 0x7F) return 400; // CR, LF, NUL and other controls
            var name = Encoding.ASCII.GetString(line[..colon]);
            var text = Encoding.Latin1.GetString(value);
            headers.Add(new(name, text));
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!TryParseLength(value, out var length) || (contentLength >= 0 && length != contentLength)) return 400;
                contentLength = length;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) return 501;
            else if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) hosts++;
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var option in text.Split(',', StringSplitOptions.TrimEntries))
                {
                    if (option.Equals("close", StringComparison.OrdinalIgnoreCase)) close = true;
                    else if (option.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)) keepAlive = true;
                }
            }
            else if (name.Equals("Expect", StringComparison.OrdinalIgnoreCase) && text.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
                expectContinue = true;
        }
        if (hosts > 1 || (http11 && hosts == 0)) return 400; // HTTP/1.1 requires exactly one Host

        request = new HttpRequestHead(MethodName(method), Encoding.ASCII.GetString(target), http11 ? "HTTP/1.1" : "HTTP/1.0", headers)
        {
            ContentLength = Math.Max(contentLength, 0),
            KeepAlive = !close && (http11 || keepAlive),
            ExpectContinue = expectContinue,
        };
        return 0;
    }

    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOf("\r\n"u8);
        var line = rest[..end];
        rest = rest[(end + 2)..];
        return line;
    }

    private static bool TryParseLength(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        if (value.IsEmpty || value.Length > 18) return false;
        foreach (var b in value)
        {
            if (!char.IsAsciiDigit((char)b)) return false;
            length = length * 10 + (b - '0');
        }
        return true;
    }

    private static string MethodName(ReadOnlySpan<byte> method) =>
        method.SequenceEqual("GET"u8) ? "GET" : method.SequenceEqual("POST"u8) ? "POST" : method.SequenceEqual("HEAD"u8) ? "HEAD"
        : Encoding.ASCII.GetString(method);

    private static bool IsToken(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty) return false;
        foreach (var b in text)
            if (!IsTokenChar(b)) return false;
        return true;
    }

    /// <summary>RFC 9110's tchar: the characters of methods and header names.</summary>
    public static bool IsTokenChar(byte b) =>
        char.IsAsciiLetterOrDigit((char)b) || b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*'
            or (byte)'+' or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
