using System.Text.RegularExpressions;

namespace StacklessInteractive.NotebookExport;

/// <summary>
/// Reads the log dotnet-repl writes with <c>--log-path</c>, to tell which cell was running when a notebook timed
/// out or dotnet-repl died (it then writes no output notebook). Best effort: the log's format is the host's
/// diagnostic text, not an interface, so when it cannot be read this gives null and the failure is reported
/// without a cell.
/// </summary>
static partial class ReplLog
{
    // A notebook cell, submitted by dotnet-repl: a top-level SubmitCode (its token has no ".N" child suffix), shown
    // by its first line, with " ..." when the cell has more lines. Checked with dotnet-repl 0.3.259.
    [GeneratedRegex(@"\[KernelInvocationContext\] \[KernelInvocationContext\]\s+▶\s+\+\[ \S+ SubmitCode (?<code>.*?) \(Token: [^,.]+, TargetKernelName")]
    private static partial Regex CellSubmitted();

    /// <summary>The cell that dotnet-repl submitted last, or null.</summary>
    public static Cell? LastCellStarted(string? logFolder, Notebook notebook)
    {
        if (logFolder is null || !Directory.Exists(logFolder)) return null;
        var submitted = Directory.GetFiles(logFolder, "*.log")
            .Order(StringComparer.Ordinal)
            .SelectMany(ReadShared)
            .Select(line => CellSubmitted().Match(line))
            .Where(m => m.Success)
            .Select(m => m.Groups["code"].Value)
            .ToList();
        // Match the submissions to the cells in order; dotnet-repl may skip cells (empty ones), never reorders.
        var next = 0;
        Cell? last = null;
        foreach (var code in submitted)
        {
            var firstLine = code.EndsWith(" ...", StringComparison.Ordinal) ? code[..^4] : code;
            var index = notebook.Cells.Skip(next).ToList()
                .FindIndex(c => c.Source.TrimStart().StartsWith(firstLine.Trim(), StringComparison.Ordinal));
            if (index < 0) return null;
            last = notebook.Cells[next + index];
            next += index + 1;
        }
        return last;
    }

    static IEnumerable<string> ReadShared(string path)
    {
        // dotnet-repl may have been killed with the file open: read what is there.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line) yield return line;
    }
}
