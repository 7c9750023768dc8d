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

    private static IEnumerable<JsonElement> Outputs(JsonElement cell) =>
        cell.TryGetProperty("outputs", out var outputs) ? outputs.EnumerateArray() : [];

    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? string.Concat(value.EnumerateArray().Select(v => v.GetString())) : value.GetString() ?? "";

    private static int Exec(string file, string arguments, string directory, bool allowFailure = false)
        => LocalFeed.Run(file, arguments, directory, allowFailure, minutes: 5).ExitCode;
}
