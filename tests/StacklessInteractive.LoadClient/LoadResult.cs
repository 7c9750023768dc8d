using System.Globalization;

namespace StacklessInteractive.LoadClient;

/// <summary>How a load client ended: its exit code, its summary line and its stderr.</summary>
public sealed record LoadResult(int ExitCode, string Summary, string Errors)
{
    /// <summary>A numeric field of the summary line (<c>answered</c>, <c>requests_per_second</c>, ...), or null.</summary>
    public double? Field(string key)
    {
        foreach (var part in Summary.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length == 2 && kv[0] == key && double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                return value;
        }
        return null;
    }
}
