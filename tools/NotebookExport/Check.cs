using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StacklessInteractive.NotebookExport;

/// <summary>A cell that produced an error.</summary>
sealed record CellFailure(int Cell, string FirstLine, string Error);

/// <summary>What the run of one notebook came to; saved next to its page for the index.</summary>
sealed record NotebookResult(
    string Source, string Page, string Title, bool Passed, bool Executed, double Seconds, string Line, string? Problem,
    IReadOnlyList<CellFailure> Failures, string Host = "dotnet-repl")
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static NotebookResult LoadFrom(string path) =>
        JsonSerializer.Deserialize<NotebookResult>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path}: empty result");
}

static class Check
{
    /// <summary>
    /// The error an output reports, or null. dotnet-repl writes every <c>CommandFailed</c> of a cell as an
    /// output_type "error" (ename "Error", the message in evalue), also those of commands a cell sends to the
    /// kernel itself (checked with dotnet-repl 0.3.259), and goes on with the next cell.
    /// </summary>
    public static string? ErrorOf(JsonObject output)
    {
        if ((string?)output["output_type"] != "error") return null;
        var name = (string?)output["ename"];
        var value = (string?)output["evalue"] ?? "";
        return string.IsNullOrEmpty(name) || name == "Error" ? value : $"{name}: {value}";
    }

    public static List<CellFailure> Failures(Notebook notebook) =>
        notebook.Cells
            .Select(c => (cell: c, error: c.Outputs.Select(ErrorOf).FirstOrDefault(e => e is not null)))
            .Where(x => x.error is not null)
            .Select(x => new CellFailure(x.cell.Number, x.cell.FirstLine, x.error!))
            .ToList();

    public static string FirstLine(string text)
    {
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "(no message)";
        return line.Length > 200 ? line[..197] + "..." : line;
    }

    /// <summary>
    /// Judges one run in <paramref name="host"/> (dotnet-repl, or Jupyter's nbconvert). <paramref name="exitCode"/> is the
    /// host's (dotnet-repl's is 2 when a cell failed), or 124 when the
    /// script's timeout stopped it; <paramref name="executed"/> is null when it wrote no output notebook, and then
    /// dotnet-repl's own log (<paramref name="replLog"/>) tells which cell was running, if it can.
    /// </summary>
    public static (bool passed, string? problem, List<CellFailure> failures) Judge(
        Notebook? executed, Notebook source, int exitCode, int timeoutSeconds, string log, string? replLog, string host = "dotnet-repl")
    {
        if (executed is null)
        {
            var what = exitCode == 124
                ? $"timed out after {timeoutSeconds} s"
                : $"{host} exited with code {exitCode} and wrote no output notebook";
            if (ReplLog.LastCellStarted(replLog, source) is { } running)
                return (false, null, [new CellFailure(running.Number, running.FirstLine, $"{what} while this cell ran (see {log})")]);
            return (false, $"{what} (see {log})", []);
        }
        var failures = Failures(executed);
        string? problem = null;
        if (exitCode != 0 && failures.Count == 0)
            problem = $"{host} exited with code {exitCode} but no cell shows an error (see {log})";
        return (problem is null && failures.Count == 0 && exitCode == 0, problem, failures);
    }
}
