using System.Globalization;
using System.Text.Json.Nodes;
using Markdig;
using Markdig.Syntax;

namespace StacklessInteractive.NotebookExport;

/// <summary>One cell of a .ipynb (nbformat 4), numbered from 1 in notebook order, markdown cells included.</summary>
sealed record Cell(int Number, string Type, string Source, string Language, IReadOnlyList<JsonObject> Outputs, double? Seconds)
{
    /// <summary>The first line with something on it, shortened: how a cell is named in a FAIL line.</summary>
    public string FirstLine
    {
        get
        {
            var line = Source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
            return line.Length > 60 ? line[..57] + "..." : line;
        }
    }
}

/// <summary>A .ipynb as the exporter needs it: cells, their outputs and the title.</summary>
sealed class Notebook
{
    public required IReadOnlyList<Cell> Cells { get; init; }

    /// <summary>The first markdown heading, as plain text; null when there is none.</summary>
    public string? Title { get; init; }

    /// <summary>When dotnet-repl started the first cell (from its cell metadata); null for a notebook not run.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The same cells with no outputs: a source notebook shown when its run produced nothing.</summary>
    public Notebook WithoutOutputs() => new()
    {
        Cells = Cells.Select(c => c with { Outputs = [], Seconds = null }).ToList(), Title = Title, StartedAt = null,
    };

    public static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public static Notebook Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))?.AsObject()
                   ?? throw new InvalidDataException($"{path}: not a JSON object");
        var metadata = root["metadata"] as JsonObject;
        // Polyglot Notebooks write the default kernel either under kernelInfo (as saved by the editor) or directly
        // under polyglot_notebook (as dotnet-repl writes it back).
        var defaultLanguage = (string?)(metadata?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]
                                        ?? metadata?["polyglot_notebook"]?["defaultKernelName"]
                                        ?? metadata?["kernelspec"]?["language"]) ?? "csharp";
        var cells = new List<Cell>();
        DateTimeOffset? startedAt = null;
        foreach (var node in root["cells"]?.AsArray() ?? [])
        {
            if (node is not JsonObject cell) continue;
            var cellMetadata = cell["metadata"] as JsonObject;
            var language = (string?)(cellMetadata?["polyglot_notebook"]?["kernelName"]
                                     ?? cellMetadata?["dotnet_interactive"]?["language"]) ?? defaultLanguage;
            var start = Time(cellMetadata?["dotnet_repl_cellExecutionStartTime"]);
            var end = Time(cellMetadata?["dotnet_repl_cellExecutionEndTime"]);
            startedAt ??= start;
            cells.Add(new Cell(
                Number: cells.Count + 1,
                Type: (string?)cell["cell_type"] ?? "code",
                Source: Text(cell["source"]),
                Language: language,
                Outputs: (cell["outputs"]?.AsArray() ?? []).OfType<JsonObject>().Where(o => !IsJupyterBootstrap(o)).ToList(),
                Seconds: start is { } s && end is { } e ? (e - s).TotalSeconds : null));
        }
        return new Notebook { Cells = cells, Title = FindTitle(cells), StartedAt = startedAt };
    }

    /// <summary>
    /// The output dotnet-interactive adds to the first cell it runs in Jupyter: a script that connects the browser to
    /// the kernel's HTTP API (probing its addresses, loading require.js from a CDN). It is the host's, not the
    /// notebook's, and a static page can do nothing with it, so the exporter drops it (checked with 1.0.712001).
    /// </summary>
    static bool IsJupyterBootstrap(JsonObject output) =>
        output["data"]?["text/html"] is { } html && Text(html) is var text
        && text.Contains("dotnet-interactive-this-cell-", StringComparison.Ordinal)
        && text.Contains("probeAddresses", StringComparison.Ordinal);

    /// <summary>nbformat's multiline strings: a string, or an array of strings to concatenate.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => (string?)l ?? "")),
        _ => (string?)node ?? "",
    };

    static DateTimeOffset? Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s)
        && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    static string? FindTitle(IEnumerable<Cell> cells)
    {
        foreach (var cell in cells.Where(c => c.Type == "markdown"))
        {
            var heading = Markdig.Markdown.Parse(cell.Source, Markdown).Descendants<HeadingBlock>().FirstOrDefault();
            if (heading is null) continue;
            var text = Markdig.Markdown.ToPlainText(cell.Source.Substring(heading.Span.Start, heading.Span.Length), Markdown).Trim();
            if (text.Length > 0) return text;
        }
        return null;
    }
}
