// StacklessInteractive.NotebookExport: the checking and HTML half of scripts/run-notebooks.sh, which runs each
// notebook in dotnet-repl and then calls this on the executed notebook.
//
//   page   --executed OUT.ipynb --source notebooks/NAME.ipynb --exit-code N [--seconds S] [--timeout S] [--log FILE]
//          [--repl-log FOLDER] [--host NAME]
//          Checks the executed notebook (a cell with an error output, or an output that loads a script from
//          the network, fails it), writes NAME.html and NAME.result.json next to OUT.ipynb, prints one line,
//          "PASS notebooks/NAME.ipynb (12.3 s)" or "FAIL notebooks/NAME.ipynb: cell 4 (`#!run`): <error>",
//          and exits 0 when it passed, 1 when it failed. With no OUT.ipynb (dotnet-repl crashed or timed out)
//          the page shows the source notebook, and dotnet-repl's --log-path FOLDER tells
//          which cell was running. --host names the host that ran it (default dotnet-repl; run-notebooks.sh
//          --host jupyter says "Jupyter (nbconvert)").
//   index  --out DIR     Writes DIR/index.html from DIR/*.result.json.
//   plotly --out DIR     Writes DIR/plotly.min.js (see src/Views/PlotlyJs.cs) and prints its version.
//
// Exit code 2 means bad arguments, 3 that the exporter itself failed.
using System.Globalization;
using System.Text.RegularExpressions;
using StacklessInteractive.NotebookExport;

try
{
    if (args.Length == 0) return Usage();
    var options = Options(args.Skip(1).ToArray());
    if (options is null) return Usage();
    switch (args[0])
    {
        case "page": return ExportPage(options);
        case "index": return ExportIndex(options);
        case "plotly":
            Console.WriteLine($"plotly.js {StacklessInteractive.Views.PlotlyJs.CopyTo(Required(options, "out"))}");
            return 0;
        default: return Usage();
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"NotebookExport: {e.Message}");
    return 2;
}
catch (Exception e)
{
    Console.Error.WriteLine($"NotebookExport failed: {e}");
    return 3;
}

static int Usage()
{
    Console.Error.WriteLine("usage: NotebookExport page --executed OUT.ipynb --source NOTEBOOK.ipynb --exit-code N " +
                            "[--seconds S] [--timeout S] [--log FILE] [--repl-log FOLDER] [--host NAME] | index --out DIR | plotly --out DIR");
    return 2;
}

static Dictionary<string, string>? Options(string[] args)
{
    var options = new Dictionary<string, string>();
    for (var i = 0; i < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length) return null;
        options[args[i][2..]] = args[i + 1];
    }
    return options;
}

static string Required(Dictionary<string, string> options, string name) =>
    options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

static double Number(Dictionary<string, string> options, string name, double fallback) =>
    options.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

static int ExportPage(Dictionary<string, string> options)
{
    var executedPath = Required(options, "executed");
    var source = Required(options, "source");
    var exitCode = (int)Number(options, "exit-code", 0);
    var log = options.GetValueOrDefault("log") ?? "the log";
    var outFolder = Path.GetDirectoryName(executedPath) is { Length: > 0 } d ? d : ".";
    var name = Path.GetFileNameWithoutExtension(source);
    var host = options.GetValueOrDefault("host") ?? "dotnet-repl";

    var executed = File.Exists(executedPath) ? Notebook.Load(executedPath) : null;
    var shown = executed ?? Notebook.Load(source).WithoutOutputs();
    var (passed, problem, failures) = Check.Judge(
        executed, shown, exitCode, (int)Number(options, "timeout", 0), log, options.GetValueOrDefault("repl-log"), host);
    failures.AddRange(NetworkLoads(shown).Where(n => failures.All(f => f.Cell != n.Cell)));
    failures.Sort((a, b) => a.Cell.CompareTo(b.Cell));
    passed &= failures.Count == 0;

    string line;
    var seconds = Number(options, "seconds", 0);
    var sourceShown = source.Replace('\\', '/');
    if (passed)
        line = $"PASS {sourceShown} ({seconds.ToString("0.0", CultureInfo.InvariantCulture)} s)";
    else if (problem is not null)
        line = $"FAIL {sourceShown}: {problem}";
    else
    {
        var first = failures[0];
        line = $"FAIL {sourceShown}: cell {first.Cell} (`{first.FirstLine}`): {Check.FirstLine(first.Error)}";
        if (failures.Count > 1) line += $" [and {failures.Count - 1} more failing cell(s)]";
    }

    var result = new NotebookResult(sourceShown, name + ".html", shown.Title ?? name, passed, executed is not null, seconds, line, problem, failures, host);
    File.WriteAllText(Path.Combine(outFolder, name + ".html"), Pages.NotebookPage(shown, result));
    result.Save(Path.Combine(outFolder, name + ".result.json"));
    Console.WriteLine(line);
    return passed ? 0 : 1;
}

static int ExportIndex(Dictionary<string, string> options)
{
    var folder = Required(options, "out");
    var results = Directory.GetFiles(folder, "*.result.json")
        .Order(StringComparer.Ordinal)
        .Select(NotebookResult.LoadFrom)
        .ToList();
    File.WriteAllText(Path.Combine(folder, "index.html"), Pages.IndexPage(results));
    return 0;
}

// The pages must work offline: an output that loads a script or stylesheet from another host (Plotly.NET's
// default chart HTML loads plotly.js and require.js from CDNs) fails its notebook. Links in text are fine.
static IEnumerable<CellFailure> NetworkLoads(Notebook notebook)
{
    var load = new Regex(
        @"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[""']?(?<url>(?:https?:)?//[^""'\s>]+)" +
        @"|(?<url>https?://(?:cdn[\w.-]*|[\w.-]*(?:jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com))/[^""'\s>]*)",
        RegexOptions.IgnoreCase);
    foreach (var cell in notebook.Cells)
    {
        foreach (var output in cell.Outputs)
        {
            var html = output["data"]?["text/html"] is { } h ? Notebook.Text(h) : null;
            if (html is not null && load.Match(html) is { Success: true } m)
            {
                yield return new CellFailure(cell.Number, cell.FirstLine,
                    $"an output loads {m.Groups["url"].Value}: exported pages must not load anything from the network");
                break;
            }
        }
    }
}
