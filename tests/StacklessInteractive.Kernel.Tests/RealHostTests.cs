using System.Diagnostics;
using System.Text.Json;
using AngleSharp.Html.Parser;

namespace StacklessInteractive.Kernel.Tests;

/// <summary>
/// The extension in the two real notebook hosts, not only in-process: pack it into the local feed, then run a small
/// notebook (RealHost/smoke.ipynb: the talk's deadlock driven by magic commands, a Plotly timeline, a formatted
/// channel) headless in the pinned dotnet-repl, and the same cells through the pinned dotnet-interactive tool (its
/// stdio protocol, what Jupyter and VS Code drive). This catches what in-process tests cannot: the package layout,
/// extension discovery, and the FSharp.Core that the hosts ship (Plotly.NET wants a newer one).
/// </summary>
public class RealHostTests
{
    private static readonly string s_root = Repository.Root;
    private static readonly string s_folder = Repository.Path("tests", "StacklessInteractive.Kernel.Tests", "RealHost");
    private static readonly Lazy<bool> s_packed = new(() => LocalFeed.Version.Length > 0);

    [Fact]
    public async Task ASmallNotebook_RunsInDotnetRepl_WithViewsAndAChart_AndNoError()
    {
        Assert.True(s_packed.Value);
        var output = Repository.Path("artifacts", "real-host-test", "smoke.ipynb");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.Delete(output);
        var exit = Exec("dotnet", $"repl --run smoke.ipynb --exit-after-run --output-path \"{output}\"", s_folder, allowFailure: true);

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

    [Fact]
    public async Task TheSameCells_RunInTheDotnetInteractiveTool_OverStdio()
    {
        Assert.True(s_packed.Value);
        using var smoke = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(s_folder, "smoke.ipynb")));
        var cells = smoke.RootElement.GetProperty("cells").EnumerateArray().Select(c => Text(c.GetProperty("source"))).ToList();

        var info = new ProcessStartInfo("dotnet", $"interactive stdio --working-dir \"{s_folder}\"")
        {
            WorkingDirectory = s_root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment.Remove("STACKLESS_PLOTLY_JS");
        using var host = Process.Start(info)!;
        _ = host.StandardError.ReadToEndAsync();
        try
        {
            var html = new List<string>();
            for (var i = 0; i < cells.Count; i++)
            {
                var token = "cell" + i;
                var command = JsonSerializer.Serialize(new { commandType = "SubmitCode", token, command = new { code = cells[i] } });
                await host.StandardInput.WriteLineAsync(command);
                await host.StandardInput.FlushAsync();
                html.Add(await ReadUntilDoneAsync(host.StandardOutput, token, TimeSpan.FromMinutes(3)));
            }
            Assert.Contains("StacklessInteractive", html[0]); // the help shown on load
            var parser = new HtmlParser();
            var deadlock = parser.ParseDocument(html[4]).QuerySelector(".sl-deadlock-view[data-deadlock=true]");
            Assert.NotNull(deadlock);
            Assert.Equal(["t1", "t2"], deadlock!.QuerySelectorAll("tr[data-tasklet]").Select(r => r.GetAttribute("data-tasklet")).Order());
            Assert.Equal(2, parser.ParseDocument(html[5]).QuerySelectorAll("div[id^='stackless-chart-']").Length);
            Assert.Equal("-1", parser.ParseDocument(html[6]).QuerySelector(".sl-channel-view")!.GetAttribute("data-balance"));
        }
        finally
        {
            host.Kill(entireProcessTree: true);
        }
    }

    /// <summary>
    /// RealHost/exploring.ipynb: every input of issue 16 that used to break or confuse the session, headless in
    /// dotnet-repl and in Jupyter (nbconvert with the kernelspec of scripts/setup-jupyter.sh). Each mistake fails its
    /// own cell with our message, every other cell succeeds, and the last cell shows that the session survived.
    /// </summary>
    [Theory]
    [InlineData("dotnet-repl")]
    [InlineData("jupyter")]
    public async Task TheExploringNotebook_RunsToTheEnd_WithEachMistakeStated(string host)
    {
        Assert.True(s_packed.Value);
        var output = Repository.Path("artifacts", "real-host-test", $"exploring-{host}.ipynb");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.Delete(output);
        if (host == "jupyter")
        {
            var jupyterPath = LocalFeed.Run("bash", "scripts/setup-jupyter.sh").Output.Trim().Split('\n')[^1];
            LocalFeed.Run("/usr/bin/python3", "-m jupyter nbconvert --to notebook --execute --allow-errors --ExecutePreprocessor.kernel_name=stackless-csharp "
                + $"--ExecutePreprocessor.timeout=300 --output \"{output}\" exploring.ipynb", s_folder, minutes: 10, environment: ("JUPYTER_PATH", jupyterPath));
        }
        else
        {
            Exec("dotnet", $"repl --run exploring.ipynb --exit-after-run --output-path \"{output}\"", s_folder, allowFailure: true);
        }

        using var notebook = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        var cells = notebook.RootElement.GetProperty("cells").EnumerateArray().ToList();
        var expected = new Dictionary<string, string>
        {
            ["#!run --steps abc"] = "#!run --steps takes a whole number of steps, 0 or more; got 'abc'",
            ["#!run --steps 2.5"] = "got '2.5' (not a whole number)",
            ["#!run --steps 1e3"] = "got '1e3' (write it as a plain whole number: 1000)",
            ["#!run --steps 99999999999999999999"] = "(too large: at most 9,223,372,036,854,775,807)",
            ["#!timeline --last abc"] = "#!timeline --last takes a whole number of steps, 1 or more; got 'abc'",
            ["#!run --steps"] = "#!run --steps takes a whole number of steps, 0 or more; got nothing",
            ["#!tasklet --name\nawait Stackless.Schedule();"] = "#!tasklet --name takes a name; got nothing",
            ["#!tasklets --name"] = "#!tasklets --name takes a name; got nothing",
            ["#!step 5"] = "For 5 steps write #!run --steps 5",
            ["#!run --step 3"] = "Did you mean --steps?",
            ["#!tasklet --name sleepy\nawait Task.Delay(1);\n#!run"] = "await scheduler.BlockOn(task)",
            ["#!tasklet --name broken\nawait ch.Send(\"not an int\");"] = "does not compile",
        };
        var previous = "";
        var stated = new List<string>();
        for (var i = 0; i < cells.Count; i++)
        {
            var source = Text(cells[i].GetProperty("source"));
            var outputs = Outputs(cells[i]).ToList();
            var errors = outputs.Where(o => o.GetProperty("output_type").GetString() == "error").Select(o => o.GetProperty("evalue").GetString() ?? "").ToList();
            var key = expected.ContainsKey(source) ? source : previous + "\n" + source;
            if (expected.TryGetValue(key, out var fragment))
            {
                // one error, ours; a body that does not compile also shows the compiler's own (dotnet-repl as an error), once
                var compiler = fragment == "does not compile" ? 1 : 0;
                Assert.True(errors.Count - compiler is 1 or 0 && errors.Count >= 1, $"{host}, cell {i} ({source}): expected our error with '{fragment}', got {errors.Count}: {string.Join(" | ", errors)}");
                Assert.Contains(fragment, errors[^1]);
                Assert.DoesNotContain("DNI", errors[^1]);
                if (compiler == 1) Assert.DoesNotContain("CS1503", errors[^1]); // not repeated in ours
                stated.Add(key);
            }
            else
            {
                Assert.True(errors.Count == 0, $"{host}, cell {i} ({source}) failed: {string.Join(" | ", errors)}");
            }
            var text = string.Concat(outputs.Select(o => o.GetRawText()));
            if (source == "ch.Send(7);") Assert.DoesNotContain("CS4014", text);
            if (source == "#!stackless --help" || source == "#!run --help" || source == "#!tasklet --help") Assert.Contains("sl-help", text);
            previous = source;
        }
        Assert.Equal(expected.Keys.Order(), stated.Order());
        var last = Outputs(cells[^1]).Single(o => o.TryGetProperty("data", out _)).GetProperty("data");
        Assert.Contains("2", Text(last.TryGetProperty("text/plain", out var plain) ? plain : last.GetProperty("text/html"))); // 1 + 1: the session survived
    }

    /// <summary>
    /// Reads the host's events (one JSON object a line) until the command with <paramref name="token"/> succeeds;
    /// returns the text/html it displayed. A failure of that command fails the test with its message.
    /// </summary>
    private static async Task<string> ReadUntilDoneAsync(StreamReader events, string token, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var html = new System.Text.StringBuilder();
        while (true)
        {
            var line = await events.ReadLineAsync(cancel.Token) ?? throw new InvalidOperationException("the host exited");
            if (!line.StartsWith('{')) continue; // the welcome banner
            using var json = JsonDocument.Parse(line);
            if (!json.RootElement.TryGetProperty("eventType", out var type)) continue;
            var command = json.RootElement.GetProperty("command");
            var root = command.ValueKind == JsonValueKind.Object && command.TryGetProperty("token", out var t) ? t.GetString() ?? "" : "";
            if (root != token && !root.StartsWith(token + ".", StringComparison.Ordinal)) continue;
            var ev = json.RootElement.GetProperty("event");
            switch (type.GetString())
            {
                case "DisplayedValueProduced" or "ReturnValueProduced" or "DisplayedValueUpdated":
                    foreach (var value in ev.GetProperty("formattedValues").EnumerateArray())
                        if (value.GetProperty("mimeType").GetString() == "text/html") html.Append(value.GetProperty("value").GetString());
                    break;
                case "CommandFailed":
                    Assert.Fail($"{token} failed in the host: {ev.GetProperty("message").GetString()}");
                    break;
                case "CommandSucceeded" when root == token:
                    return html.ToString();
            }
        }
    }

    internal static IEnumerable<JsonElement> Outputs(JsonElement cell) =>
        cell.TryGetProperty("outputs", out var outputs) ? outputs.EnumerateArray() : [];

    internal static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? string.Concat(value.EnumerateArray().Select(v => v.GetString())) : value.GetString() ?? "";

    private static int Exec(string file, string arguments, string directory, bool allowFailure = false)
        => LocalFeed.Run(file, arguments, directory, allowFailure, minutes: 5).ExitCode;
}
