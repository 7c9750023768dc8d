using System.Diagnostics;
using System.Text.Json.Nodes;

namespace StacklessInteractive.NotebookExport.Tests;

/// <summary>
/// The main job's judge and exporter, run as scripts/run-notebooks.sh runs it, on executed notebooks made here:
/// which runs pass, which fail and how the FAIL line names the cell, and what the pages contain.
/// </summary>
public sealed class ExporterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("notebook-export-tests").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ACleanRun_Passes_AndItsPageRendersMarkdownAndEscapesCode()
    {
        var source = Write("01-clean.ipynb", Markdown("# Channels\nA *channel* joins tasklets."), Code("var x = 1 < 2;", Html("<div class=\"sl-view\">view</div>")));
        var executed = Write("out/01-clean.ipynb", Markdown("# Channels\nA *channel* joins tasklets."), Code("var x = 1 < 2;", Html("<div class=\"sl-view\">view</div>")));

        var (exit, line) = Page(executed, source, exitCode: 0);

        Assert.Equal(0, exit);
        Assert.Equal($"PASS {source.Replace('\\', '/')} (1.5 s)", line);
        var page = File.ReadAllText(Path.Combine(_folder, "out", "01-clean.html"));
        Assert.Contains("<h1", page);
        Assert.Contains("<em>channel</em>", page);
        Assert.Contains("var x = 1 &lt; 2;", page);                 // code is escaped
        Assert.Contains("<div class=\"sl-view\">view</div>", page); // HTML outputs go in as they are
    }

    [Fact]
    public void AnErrorOutput_FailsTheNotebook_NamingTheCellAndTheError()
    {
        var cells = new[]
        {
            Markdown("# Broken"),
            Code("var ch = new Channel<int>();"),
            Code("#!run", Error("Tasklet bad raised InvalidOperationException: went wrong\nThe run stopped there.")),
        };
        var source = Write("02-broken.ipynb", cells);
        var executed = Write("out/02-broken.ipynb", cells);

        var (exit, line) = Page(executed, source, exitCode: 2);

        Assert.Equal(1, exit);
        Assert.Equal($"FAIL {source.Replace('\\', '/')}: cell 3 (`#!run`): Tasklet bad raised InvalidOperationException: went wrong", line);
    }

    [Fact]
    public void AnOutputLoadingAScriptFromTheNetwork_FailsTheNotebook()
    {
        var cells = new[] { Code("chart", Html("<div id=\"c\"></div><script src=\"https://cdn.plot.ly/plotly-2.28.0.min.js\"></script>")) };
        var (exit, line) = Page(Write("out/03-cdn.ipynb", cells), Write("03-cdn.ipynb", cells), exitCode: 0);
        Assert.Equal(1, exit);
        Assert.Contains("cell 1 (`chart`)", line);
        Assert.Contains("loads https://cdn.plot.ly/plotly-2.28.0.min.js", line);
    }

    [Fact]
    public void ARunThatWroteNothing_Fails_SayingItTimedOut()
    {
        var source = Write("04-hang.ipynb", Code("Thread.Sleep(-1);"));
        Directory.CreateDirectory(Path.Combine(_folder, "out")); // run-notebooks.sh makes it before any run
        var (exit, line) = Page(Path.Combine(_folder, "out", "04-hang.ipynb"), source, exitCode: 124, "--timeout", "900");
        Assert.Equal(1, exit);
        Assert.StartsWith($"FAIL {source.Replace('\\', '/')}: timed out after 900 s", line);
    }

    [Fact]
    public void ADotnetReplFailureWithoutAnErrorOutput_StillFails()
    {
        var cells = new[] { Code("1 + 1") };
        var (exit, line) = Page(Write("out/05-odd.ipynb", cells), Write("05-odd.ipynb", cells), exitCode: 2);
        Assert.Equal(1, exit);
        Assert.Contains("dotnet-repl exited with code 2 but no cell shows an error", line);
    }

    [Fact]
    public void AJupyterRun_DropsTheKernelsBootstrapScript_ButStillFailsOnOtherNetworkLoads_AndNamesItsHost()
    {
        // What dotnet-interactive 1.0.712001 adds to the first cell under Jupyter (shortened): the host's, not ours.
        var bootstrap = Html("<div><div id='dotnet-interactive-this-cell-$CACHE_BUSTER$' style='display: none'></div><script type='text/javascript'>"
            + "async function probeAddresses(probingAddresses) {} loadScript('https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js');"
            + "</script><script src=\"https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js\"></script></div>");
        var cells = new[] { Markdown("# Loaded"), Code("#r \"nuget: X\"", bootstrap, Html("<div class=\"sl-help\">loaded</div>")) };
        var (exit, line) = Page(Write("out/06-jupyter.ipynb", cells), Write("06-jupyter.ipynb", cells), exitCode: 0, "--host", "Jupyter (nbconvert)");
        Assert.Equal(0, exit);
        Assert.StartsWith("PASS", line);
        var page = File.ReadAllText(Path.Combine(_folder, "out", "06-jupyter.html"));
        Assert.DoesNotContain("probeAddresses", page);
        Assert.Contains("sl-help", page);
        Assert.Contains("Executed headless by Jupyter (nbconvert)", page);

        var other = new[] { Code("x", Html("<script src=\"https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js\"></script>")) };
        Assert.Equal(1, Page(Write("out/07-cdn.ipynb", other), Write("07-cdn.ipynb", other), exitCode: 0, "--host", "Jupyter (nbconvert)").Exit);
    }

    [Fact]
    public void TheIndex_ListsEveryNotebookWithItsTitleAndStatus()
    {
        Page(Write("out/01-a.ipynb", Markdown("# First notebook")), Write("01-a.ipynb", Markdown("# First notebook")), exitCode: 0);
        var failing = new[] { Markdown("# Second notebook"), Code("x", Error("boom")) };
        Page(Write("out/02-b.ipynb", failing), Write("02-b.ipynb", failing), exitCode: 2);

        Assert.Equal(0, Run("index", "--out", Path.Combine(_folder, "out")).Exit);
        var index = File.ReadAllText(Path.Combine(_folder, "out", "index.html"));
        Assert.Contains("href=\"01-a.html\"", index);
        Assert.Contains("First notebook", index);
        Assert.Contains("href=\"02-b.html\"", index);
        Assert.Contains("Second notebook", index);
        Assert.Matches("(?s)Second notebook.*FAIL|(?s)FAIL.*Second notebook", index);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private (int Exit, string Line) Page(string executed, string source, int exitCode, params string[] more)
    {
        var (exit, output) = Run(["page", "--executed", executed, "--source", source, "--exit-code", exitCode.ToString(), "--seconds", "1.5", .. more]);
        return (exit, output.Trim());
    }

    private static (int Exit, string Output) Run(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "StacklessInteractive.NotebookExport.dll"));
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode is 0 or 1, $"the exporter failed ({process.ExitCode}): {error}");
        return (process.ExitCode, output);
    }

    private string Write(string relative, params JsonObject[] cells)
    {
        var path = Path.Combine(_folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode)c.DeepClone()).ToArray()),
            ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = "csharp" } } },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        File.WriteAllText(path, notebook.ToJsonString());
        return path;
    }

    private static JsonObject Markdown(string text) => new() { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = text };

    private static JsonObject Code(string code, params JsonObject[] outputs) => new()
    {
        ["cell_type"] = "code",
        ["metadata"] = new JsonObject(),
        ["execution_count"] = null,
        ["source"] = code,
        ["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o).ToArray()),
    };

    private static JsonObject Html(string html) => new()
    {
        ["output_type"] = "display_data",
        ["data"] = new JsonObject { ["text/html"] = html },
        ["metadata"] = new JsonObject(),
    };

    private static JsonObject Error(string message) => new()
    {
        ["output_type"] = "error",
        ["ename"] = "Error",
        ["evalue"] = message,
        ["traceback"] = new JsonArray(),
    };
}
