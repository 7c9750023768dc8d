using System.Globalization;

namespace StacklessInteractive.Bench;

/// <summary>
/// <c>all</c>: the standard set, each workload in a process of its own (so that peak RSS, the GC's heap and
/// the JIT's state belong to that workload alone), each child's line echoed as it ends, then a markdown table.
/// </summary>
internal static class All
{
    private static readonly (string Workload, int Moderate, int Full, bool Trace)[] Set =
    [
        ("sieve-upto", 30_011, 104_729, false),
        ("sieve-sequential", 30_011, 104_729, false),
        ("pingpong", 1_000_000, 1_000_000, false),
        ("spawn-blocked", 200_000, 1_000_000, false),
        ("spawn-run", 1_000_000, 1_000_000, false),
        ("sieve-upto", 30_011, 104_729, true),
    ];

    public static int Run(bool full)
    {
        var lines = new List<string>();
        var failed = 0;
        foreach (var (workload, moderate, fullN, trace) in Set)
        {
            var n = (full ? fullN : moderate).ToString(CultureInfo.InvariantCulture);
            var args = trace ? new[] { workload, n, "--trace" } : [workload, n];
            var (code, line) = RunChild(args);
            if (code != 0 || line is null)
            {
                Console.Error.WriteLine($"all: '{string.Join(' ', args)}' exited with code {code}.");
                failed++;
                continue;
            }
            Console.WriteLine(line);
            lines.Add(line);
        }
        Console.WriteLine();
        Console.WriteLine(Table(lines));
        return failed == 0 ? 0 : 1;
    }

    private static (int Code, string? Line) RunChild(string[] args)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var info = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.FileName = self;
            info.ArgumentList.Add(typeof(All).Assembly.Location); // run as `dotnet StacklessInteractive.Bench.dll`
        }
        else info.FileName = self; // the apphost that `dotnet run` starts
        foreach (var a in args) info.ArgumentList.Add(a);
        using var child = Process.Start(info) ?? throw new InvalidOperationException("could not start " + self);
        var output = child.StandardOutput.ReadToEnd(); // stderr is inherited: progress shows as it comes
        child.WaitForExit();
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return (child.ExitCode, line);
    }

    private static readonly (string Key, string Header)[] Columns =
    [
        ("workload", "workload"), ("n", "n"), ("trace", "trace"), ("seconds", "seconds"), ("hops", "hops"),
        ("ns_per_hop", "ns/hop"), ("ns_per_round_trip", "ns/round trip"), ("bytes_per_tasklet", "bytes/tasklet (GC heap)"),
        ("rss_bytes_per_tasklet", "bytes/tasklet (RSS)"), ("allocated_bytes", "allocated bytes"), ("peak_rss_kb", "peak RSS kB"),
    ];

    /// <summary>A markdown table of <c>key=value</c> lines, one row each; absent fields are blank.</summary>
    public static string Table(IEnumerable<string> lines)
    {
        var rows = lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1])).ToList();
        var columns = Columns.Where(c => rows.Any(r => r.ContainsKey(c.Key))).ToList();
        var text = new System.Text.StringBuilder();
        text.AppendLine("| " + string.Join(" | ", columns.Select(c => c.Header)) + " |");
        text.AppendLine("|" + string.Join("|", columns.Select(c => c.Key is "workload" or "trace" ? "---" : "---:")) + "|");
        foreach (var row in rows)
            text.AppendLine("| " + string.Join(" | ", columns.Select(c => row.GetValueOrDefault(c.Key, ""))) + " |");
        return text.ToString().TrimEnd();
    }
}
