using System.Diagnostics;
using System.Text.Json;
using AngleSharp.Html.Parser;

namespace StacklessInteractive.Kernel.Tests;

/// <summary>
/// The extension in a real notebook host, not only in-process: pack it into the local feed, run a small notebook
/// (RealHost/smoke.ipynb: the talk's deadlock driven by magic commands, a Plotly timeline, a formatted channel)
/// headless in the pinned dotnet-repl, and read the executed notebook. This catches what in-process tests cannot:
/// the package layout, extension discovery, and the FSharp.Core that the host ships (Plotly.NET wants a newer one).
/// </summary>
public class RealHostTests
{
    private static readonly string s_root = RepositoryRoot();

    [Fact]
    public async Task ASmallNotebook_RunsInDotnetRepl_WithViewsAndAChart_AndNoError()
    {
        Exec("dotnet", "tool restore", s_root);
        Exec("bash", "scripts/pack.sh", s_root);
        var output = Path.Combine(s_root, "artifacts", "real-host-test", "smoke.ipynb");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.Delete(output);
        var folder = Path.Combine(s_root, "tests", "StacklessInteractive.Kernel.Tests", "RealHost");
        var exit = Exec("dotnet", $"repl --run smoke.ipynb --exit-after-run --output-path \"{output}\"", folder, allowFailure: true);

        using var notebook = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        var cells = notebook.RootElement.GetProperty("cells").EnumerateArray().ToList();
        var errors = cells.SelectMany((c, i) => Outputs(c).Where(o => o.GetProperty("output_type").GetString() == "error")
            .Select(o => $"cell {i}: {o.GetProperty("ename").GetString()}: {o.GetProperty("evalue").GetString()}")).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(0, exit);

        var parser = new HtmlParser();
        string HtmlOf(int cell) => string.Concat(Outputs(cells[cell])
            .Where(o => o.TryGetProperty("data", out var d) && d.TryGetProperty("text/html", out _))
            .Select(o => Text(o.GetProperty("data").GetProperty("text/html"))));

        var loaded = HtmlOf(0);
        Assert.Contains("StacklessInteractive", loaded); // the help shown on load: the extension was found and loaded

        var run = parser.ParseDocument(HtmlOf(4));
        var deadlock = run.QuerySelector(".sl-deadlock-view[data-deadlock=true]");
        Assert.NotNull(deadlock);
        Assert.Contains("t1", deadlock!.TextContent);
        Assert.Contains("t2", deadlock.TextContent);

        var timeline = parser.ParseDocument(HtmlOf(5));
        Assert.NotNull(timeline.QuerySelector("svg"));
        var charts = timeline.QuerySelectorAll("div[id^='stackless-chart-']");
        Assert.Equal(2, charts.Length); // the Gantt-like timeline and the steps per tasklet: Plotly.NET ran in the host
        Assert.Contains("plotly", HtmlOf(5));

        Assert.Contains("ch1", parser.ParseDocument(HtmlOf(6)).Body!.TextContent);
    }

    private static IEnumerable<JsonElement> Outputs(JsonElement cell) =>
        cell.TryGetProperty("outputs", out var outputs) ? outputs.EnumerateArray() : [];

    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? string.Concat(value.EnumerateArray().Select(v => v.GetString())) : value.GetString() ?? "";

    private static int Exec(string file, string arguments, string directory, bool allowFailure = false)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment.Remove("STACKLESS_PLOTLY_JS");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {arguments} did not finish in 5 minutes");
        }
        if (!allowFailure && process.ExitCode != 0)
            Assert.Fail($"{file} {arguments} exited with {process.ExitCode}\n{stdout.Result}\n{stderr.Result}");
        return process.ExitCode;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "StacklessInteractive.sln"))) return dir.FullName;
        throw new InvalidOperationException("StacklessInteractive.sln not found above " + AppContext.BaseDirectory);
    }
}
