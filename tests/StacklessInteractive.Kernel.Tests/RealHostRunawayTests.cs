using System.Text.Json;
using System.Text.RegularExpressions;

namespace StacklessInteractive.Kernel.Tests;

/// <summary>
/// Exploring cannot break the session, checked in the real hosts: RealHost/runaway-and-reset.ipynb (a body that
/// never yields under --steps and under the default time budget, and every reset case) runs headless to its end in
/// dotnet-repl and in Jupyter (nbconvert with the stackless-csharp kernelspec), with the errors it states and the
/// session's variables intact; and RealHost/interrupt.py interrupts a runaway run through jupyter_client, in both
/// interrupt modes, and finds the kernel alive with its state. Jupyter comes from scripts/setup-jupyter.sh, which
/// the tests run themselves, so a fresh machine works.
/// </summary>
public partial class RealHostRunawayTests
{
    private const string Notebook = "runaway-and-reset.ipynb";
    private static readonly string s_folder = Repository.Path("tests", "StacklessInteractive.Kernel.Tests", "RealHost");
    private static readonly string s_python = "/usr/bin/python3"; // Debian's, which setup-jupyter.sh installs Jupyter for

    private static readonly Lazy<string> s_jupyterPath = new(() =>
    {
        var (_, output) = LocalFeed.Run("bash", "scripts/setup-jupyter.sh");
        var path = output.Trim().Split('\n')[^1].Trim();
        Environment.SetEnvironmentVariable("JUPYTER_PATH", path); // for the Jupyter processes these tests start
        return path;
    });

    [Fact]
    public async Task TheNotebook_RunsToItsEnd_InDotnetRepl_WithTheErrorsItStates()
    {
        Assert.NotEmpty(LocalFeed.Version);
        var output = OutputPath("runaway-and-reset.repl.ipynb");
        var (exit, _) = LocalFeed.Run("dotnet", $"repl --run {Notebook} --exit-after-run --output-path \"{output}\"", s_folder, allowFailure: true);
        Assert.Equal(2, exit); // dotnet-repl's exit code when a cell failed: the three the notebook expects
        await AssertRanAsExpectedAsync(output);
    }

    [Fact]
    public async Task TheNotebook_RunsToItsEnd_InJupyter_WithTheErrorsItStates()
    {
        Assert.NotEmpty(LocalFeed.Version);
        Assert.NotEmpty(s_jupyterPath.Value);
        var output = OutputPath("runaway-and-reset.jupyter.ipynb");
        LocalFeed.Run(s_python, "-m jupyter nbconvert --to notebook --execute --allow-errors --ExecutePreprocessor.kernel_name=stackless-csharp "
            + $"--ExecutePreprocessor.timeout=300 --output-dir \"{Path.GetDirectoryName(output)}\" --output {Path.GetFileName(output)} \"{Path.Combine(s_folder, Notebook)}\"",
            minutes: 10);
        await AssertRanAsExpectedAsync(output);
    }

    [Theory]
    [InlineData("stackless-csharp", "signal")]
    [InlineData("stackless-csharp-message", "message")]
    public void InterruptingARunawayRun_ThroughJupyterClient_StopsIt_AndTheKernelKeepsItsState(string kernelspec, string mode)
    {
        Assert.NotEmpty(LocalFeed.Version);
        Assert.NotEmpty(s_jupyterPath.Value);
        var (exit, output) = LocalFeed.Run(s_python,
            $"tests/StacklessInteractive.Kernel.Tests/RealHost/interrupt.py {kernelspec} \"{LocalFeed.Folder}\"", allowFailure: true);
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith('{')) ?? "";
        Assert.True(exit == 0 && line.Length > 0, $"{kernelspec}: exit {exit}\n{output}");
        using var json = JsonDocument.Parse(line);
        var result = json.RootElement;
        Assert.Equal(mode, result.GetProperty("interrupt_mode").GetString());
        Assert.Equal("ok", result.GetProperty("run_reply").GetString()); // the interrupted cell answered
        Assert.Equal("Stopped: the cell was interrupted while tasklet spinner was running at line 1 of its body (while (true) { spins++; }). It is paused where it was; #!run continues it. Ran 1 step (step 1). Nothing runnable; 1 alive.",
            Assert.Single(result.GetProperty("run_notes").EnumerateArray()).GetString());
        Assert.True(result.GetProperty("alive_after_interrupt").GetBoolean(), "the kernel process survived the interrupt");
        Assert.Equal("kept 42, spins > 0: True", Assert.Single(result.GetProperty("later").EnumerateArray()).GetString());
        Assert.StartsWith("Stopped: a step ran about", Assert.Single(result.GetProperty("continued_notes").EnumerateArray()).GetString());
        Assert.Contains("Ran 1 step (step 2)", result.GetProperty("continued_notes")[0].GetString()); // the same tasklet went on
    }

    private static string OutputPath(string name)
    {
        var output = Repository.Path("artifacts", "real-host-test", name);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.Delete(output);
        return output;
    }

    /// <summary>Each cell of the executed notebook shows what its comment says, and only the three cells marked ERROR fail.</summary>
    private static async Task AssertRanAsExpectedAsync(string executed)
    {
        using var notebook = JsonDocument.Parse(await File.ReadAllTextAsync(executed));
        var cells = notebook.RootElement.GetProperty("cells").EnumerateArray().ToList();
        string Note(int cell) => string.Join(" | ", RealHostTests.Outputs(cells[cell])
            .Where(o => o.TryGetProperty("data", out var d) && d.TryGetProperty("text/html", out _))
            .SelectMany(o => SlNote().Matches(RealHostTests.Text(o.GetProperty("data").GetProperty("text/html"))).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value))));
        string Stream(int cell) => string.Concat(RealHostTests.Outputs(cells[cell])
            .Where(o => o.GetProperty("output_type").GetString() == "stream").Select(o => RealHostTests.Text(o.GetProperty("text"))));
        var errors = cells.Select((c, i) => (Cell: i, Error: string.Join("\n", RealHostTests.Outputs(c)
            .Where(o => o.GetProperty("output_type").GetString() == "error").Select(o => o.GetProperty("evalue").GetString()))))
            .Where(e => e.Error.Length > 0).ToList();

        Assert.Equal([10, 12, 14], errors.Select(e => e.Cell));
        Assert.Contains("channel 'a' belongs to a scheduler that #!stackless-reset replaced; create it again", errors[0].Error);
        Assert.Contains("Tasklet counter raised SchedulerReplacedException: channel 'a' belongs to a scheduler that #!stackless-reset replaced; create it again", errors[1].Error);
        Assert.Contains("Tasklet resetter raised InvalidOperationException: #!stackless-reset cannot replace the scheduler while it runs (asked by tasklet resetter)", errors[2].Error);

        Assert.StartsWith("Stopped: a step ran about 1,048,576 tick checks without switching while tasklet spinner was running at line 1 of its body (while (true) { spins++; }). It is paused where it was; #!run continues it. Ran 1 step (step 1).", Note(3));
        Assert.StartsWith("Stopped: the time budget of 10 s ran out (#!run --timeout SECONDS changes it, --timeout 0 for none) while tasklet spinner was running at line 1 of its body (while (true) { spins++; }). It is paused where it was; #!run continues it. Ran 1 step (step 2).", Note(4));
        Assert.Equal("reader's finally\n", Stream(9).Replace("\r", ""));
        Assert.DoesNotContain("reader got", string.Concat(cells.Select((_, i) => Stream(i))));
        Assert.Contains("kept True", string.Concat(RealHostTests.Outputs(cells[15]).Select(o => o.GetRawText())));
    }

    [GeneratedRegex("<p class=\"sl-note\">(.*?)</p>", RegexOptions.Singleline)]
    private static partial Regex SlNote();
}
