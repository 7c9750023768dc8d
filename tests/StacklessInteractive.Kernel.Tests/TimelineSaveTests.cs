using System.Text.Json;

namespace StacklessInteractive.Kernel.Tests;

/// <summary><c>#!timeline --save FILE.json</c>: the notebook's trace as a Chrome trace-event file.</summary>
[Collection(KernelCollection.Name)]
public class TimelineSaveTests(KernelFixture notebook)
{
    [Fact]
    public async Task Save_WritesTheWholeTrace_AndSaysWhereAndHowToOpenIt()
    {
        await notebook.Reset();
        await notebook.Run("var c = new Channel<int>(name: \"c\");");
        await notebook.Run("#!tasklet --name s\nawait c.Send(42);");
        await notebook.Run("#!tasklet --name r\nawait c.Receive();");
        await notebook.Run("#!run");
        var path = Path.Combine(Path.GetTempPath(), $"stackless-save-{Guid.NewGuid():N}.json");
        try
        {
            var doc = Cell.Document(await notebook.Run($"#!timeline --tasklet s --save {path}"));
            Assert.Contains("Saved", doc.QuerySelector(".sl-note")!.TextContent);
            Assert.Contains("ui.perfetto.dev", doc.QuerySelector(".sl-note")!.TextContent);
            Assert.NotNull(doc.QuerySelector("svg")); // the timeline is shown as well
            var events = JsonDocument.Parse(File.ReadAllBytes(path)).RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
            var send = Assert.Single(events, e => e.GetProperty("ph").GetString() == "X" && e.GetProperty("cat").GetString() == "handoff"
                && e.GetProperty("name").GetString()!.StartsWith("send on c", StringComparison.Ordinal));
            Assert.Equal(42, send.GetProperty("args").GetProperty("value").GetInt32());
            Assert.Contains(events, e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("args").TryGetProperty("name", out var n) && n.GetString()!.StartsWith("r #", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("trace.txt", "ending in .json")]
    [InlineData("/no/such/folder/trace.json", "could not write")]
    public async Task ABadFile_FailsTheCell_NamingTheOption(string file, string expected)
    {
        await notebook.Reset();
        var message = Cell.FailureOf(await notebook.Submit("#!timeline --save " + file));
        Assert.Contains("--save", message);
        Assert.Contains(expected, message);
    }
}
