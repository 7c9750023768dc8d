using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using StacklessInteractive.Kernel;

namespace StacklessInteractive.Kernel.Tests;

/// <summary>
/// One notebook kernel for every test of the collection: a CompositeKernel with a C# kernel and the extension
/// loaded, as a host sets it up. The first C# kernel of a process costs about ten seconds, so it is shared; the
/// tests run one after another and each starts with #!stackless-reset.
/// </summary>
public sealed class KernelFixture : IAsyncLifetime
{
    public CompositeKernel Kernel { get; private set; } = null!;

    /// <summary>What the extension showed when it loaded.</summary>
    public KernelCommandResult Loaded { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var csharp = new CSharpKernel().UseKernelHelpers().UseValueSharing();
        csharp.AddAssemblyReferences([
            typeof(Scheduler).Assembly.Location,
            typeof(Views.SchedulerView).Assembly.Location,
            typeof(NotebookSession).Assembly.Location,
            // what the package's dependencies give a notebook's code in a host
            typeof(Plotly.NET.GenericChart).Assembly.Location,
            typeof(Plotly.NET.CSharp.Chart).Assembly.Location]);
        Kernel = new CompositeKernel { csharp };
        Kernel.DefaultKernelName = "csharp";
        // The host loads an extension inside a command (the #r that brought it); do the same so its help is displayed.
        Loaded = await Kernel.SendAsync(new Microsoft.DotNet.Interactive.Commands.SubmitCode(
            "await new StacklessInteractive.Kernel.StacklessKernelExtension().OnLoadAsync(Microsoft.DotNet.Interactive.Kernel.Root);"));
        Cell.AssertSucceeded(Loaded);
        Cell.AssertSucceeded(await Kernel.SubmitCodeAsync("using StacklessInteractive;"));
    }

    public Task DisposeAsync()
    {
        Kernel.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Runs one cell.</summary>
    public Task<KernelCommandResult> Submit(string code) => Kernel.SubmitCodeAsync(code);

    /// <summary>Runs one cell and checks that it succeeded.</summary>
    public async Task<KernelCommandResult> Run(string code)
    {
        var result = await Kernel.SubmitCodeAsync(code);
        Cell.AssertSucceeded(result, code);
        return result;
    }

    /// <summary>Runs one cell, also collecting every event the kernel publishes meanwhile (a host shows those of nested commands too).</summary>
    public async Task<(KernelCommandResult Result, IReadOnlyList<KernelEvent> Seen)> SubmitSeeingAll(string code)
    {
        var seen = new Observer();
        using (Kernel.KernelEvents.Subscribe(seen))
            return (await Kernel.SubmitCodeAsync(code), seen.Events);
    }

    private sealed class Observer : IObserver<KernelEvent>
    {
        public List<KernelEvent> Events { get; } = [];
        public void OnNext(KernelEvent value) { lock (Events) Events.Add(value); }
        public void OnError(Exception error) { }
        public void OnCompleted() { }
    }

    /// <summary>Starts every test from a fresh scheduler.</summary>
    public Task Reset() => Run("#!stackless-reset");
}

[CollectionDefinition(Name)]
public sealed class KernelCollection : ICollectionFixture<KernelFixture>
{
    public const string Name = "notebook kernel";
}

/// <summary>Reading a cell's events: its HTML outputs (parsed), its standard output, its failure.</summary>
public static class Cell
{
    private static readonly HtmlParser s_parser = new();

    public static void AssertSucceeded(KernelCommandResult result, string? code = null)
    {
        var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
        Assert.True(failed is null, $"The cell failed: {failed?.Message}\n{code}");
    }

    public static string FailureOf(KernelCommandResult result) =>
        Assert.Single(result.Events.OfType<CommandFailed>()).Message;

    /// <summary>Every text/html output of the cell, in order.</summary>
    public static IReadOnlyList<string> Html(KernelCommandResult result) =>
        result.Events.OfType<DisplayEvent>()
            .SelectMany(e => e.FormattedValues.Where(v => v.MimeType == "text/html").Select(v => v.Value))
            .ToList();

    /// <summary>All HTML outputs of the cell as one parsed document.</summary>
    public static IHtmlDocument Document(KernelCommandResult result) =>
        s_parser.ParseDocument("<html><body>" + string.Join("\n", Html(result)) + "</body></html>");

    public static string StandardOutput(KernelCommandResult result) =>
        string.Concat(result.Events.OfType<StandardOutputValueProduced>().SelectMany(e => e.FormattedValues).Select(v => v.Value));

    public static object? ReturnValue(KernelCommandResult result) =>
        result.Events.OfType<ReturnValueProduced>().SingleOrDefault()?.Value;
}
