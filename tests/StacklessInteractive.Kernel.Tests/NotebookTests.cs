using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using DocumentKernelInfo = Microsoft.DotNet.Interactive.Documents.KernelInfo;

namespace StacklessInteractive.Kernel.Tests;

/// <summary>
/// Runs the talk's notebooks (notebooks/01 to 04) cell by cell in the shared kernel, top to bottom, as a host would,
/// and checks that no cell fails and that each section shows what it says: the outputs real Stackless printed
/// (tests/reference/*.out) where the notebook reproduces one, and the structure of the views elsewhere.
/// </summary>
/// <remarks>
/// The cell that loads the extension from the local feed is skipped: the fixture has loaded it already. Each
/// notebook starts from <c>#!stackless-reset</c>, as a fresh kernel would.
/// </remarks>
[Collection(KernelCollection.Name)]
public partial class NotebookTests(KernelFixture notebook)
{
    /// <summary>How the extension-loading cell of every notebook begins.</summary>
    private const string LoadCellMarker = "// Load the StacklessInteractive extension";

    [Fact]
    public async Task TheProblemAndTheSieve()
    {
        var run = await RunNotebookAsync("01-the-problem-and-the-sieve.ipynb");

        // OS threads: bounded, and every thread stopped
        var threads = run.Output("var threadBudget");
        Assert.StartsWith("OS threads: ", threads);
        Assert.Contains("stopped: 0 threads still alive", threads);

        // the tasklet sieve prints Stackless's line, then its count and time
        var sieve = Lines(run.Output("var taskletPrimes"));
        Assert.Equal(ReferenceLines("g_sieve_print")[0], sieve[0]);
        Assert.StartsWith("count=1229 last=9973 time=", sieve[1]);

        // the slide taken literally is not a sieve
        Assert.Equal("2 3 6 8 9 10 12 14 16 17 20 22 24 26 28", run.Output("SlideSieve(Channel<int>").Trim());

        // primes against time: one chart with both lines
        var chart = run.Html("Chart.Combine");
        Assert.NotNull(chart.QuerySelector(".sl-chart-view .sl-chart"));
        Assert.Contains("tasklets (one OS thread in all)", chart.Body!.InnerHtml);
        Assert.Contains("OS threads (one per prime)", chart.Body.InnerHtml);

        // watching it: the numbers travel, then the pipeline fills up and every stage waits to send
        Assert.Equal("2 3 5 7 ", run.Output("for (var i = 0; i < 4; i++)"));
        var timeline = run.Html("#!timeline");
        foreach (var name in new[] { "counter", "sieve", "filter 2", "filter 3", "filter 5" })
            Assert.NotNull(timeline.QuerySelector($"svg.sl-timeline g.lane[data-tasklet='{name}']"));
        Assert.NotEmpty(timeline.QuerySelectorAll("g.handoff[data-from='counter'][data-to='filter 2'][data-channel='numbers']"));
        // every stage waits for the next to take its number; the chain ends at primes, which main holds: waiting, not deadlocked
        var panel = run.Html("#!run", after: "#!timeline").QuerySelector(".sl-deadlock-view")!;
        Assert.Equal("waiting", panel.GetAttribute("data-state"));
        Assert.Equal("main", panel.QuerySelector("[data-role=chain]")!.GetAttribute("data-end"));
        var full = run.Html("#!tasklets");
        foreach (var (name, channel) in new[] { ("counter", "numbers"), ("sieve", "primes"), ("filter 2", "after 2"), ("filter 7", "after 7") })
            Assert.NotNull(full.QuerySelector($"tr[data-tasklet='{name}'][data-state='Blocked'] [data-channel='{channel}'][data-direction='send']"));
        Assert.Equal("the fifth prime is 11", run.Output("the fifth prime").Trim());
        Assert.NotNull(run.Html("#!step", after: "the fifth prime").QuerySelector(".sl-scheduler [data-channel='after 11'] [data-tasklet='sieve'][data-direction='receive']"));
        var secondStep = run.Html("#!step", after: "#!step");
        Assert.NotEmpty(secondStep.QuerySelectorAll("g.handoff[data-from='filter 7'][data-to='filter 11'][data-value='13']"));
        Assert.NotEmpty(secondStep.QuerySelectorAll("g.handoff[data-from='filter 11'][data-to='sieve'][data-value='13']"));
        Assert.NotNull(run.Html("#!channels").QuerySelector(".sl-channel-view[data-channel='numbers'][data-balance='1']"));
    }

    [Fact]
    public async Task TaskletsAndTheScheduler()
    {
        var run = await RunNotebookAsync("02-tasklets-and-the-scheduler.ipynb");

        AssertMatchesReference("a_hello", run.Output("void HelloWorld()"));
        Assert.Equal("Hello World!", run.Output("#!run", after: "#!tasklet --name hello").Trim());
        AssertMatchesReference("b_numbers_letters", run.Output("async TaskletBody Numbers()"));
        Assert.NotEmpty(run.Html("#!timeline", after: "async TaskletBody Numbers()").QuerySelectorAll("g.lane[data-tasklet='numbers']"));

        // the states: blocked, runnable, paused, then on to the end
        var firstStep = run.Cell("#!step", after: "#!tasklet --name worker");
        Assert.StartsWith("consumer: I am consumer and my state is Current", firstStep.Output);
        Assert.NotNull(firstStep.Html.QuerySelector(".sl-scheduler .sl-waitrow[data-channel='ch'] [data-tasklet='consumer'][data-direction='receive']"));
        var secondStep = run.Cell("#!step", after: "#!tasklet --name worker", occurrence: 2);
        Assert.Equal("worker: round 1", secondStep.Output.Trim());
        Assert.NotNull(secondStep.Html.QuerySelector(".sl-scheduler [data-role='runnable'][data-tasklet='worker']"));
        Assert.Equal(TaskletState.Paused, run.Cell("worker.Remove()").ReturnValue);
        var paused = run.Html("#!tasklets", after: "worker.Remove()");
        Assert.NotNull(paused.QuerySelector("tr[data-tasklet='worker'][data-state='Paused']"));
        Assert.NotNull(paused.QuerySelector("tr[data-tasklet='consumer'][data-state='Blocked']"));
        Assert.NotNull(paused.QuerySelector(".sl-scheduler [data-role='paused'][data-tasklet='worker']"));
        Assert.Equal("", run.Output("#!run", after: "worker.Remove()"));
        // main's send switches to the consumer, and main goes to the back of the queue, behind the worker
        Assert.Equal("consumer got: hello from main\nworker: round 2\nmain: sent; the worker is Runnable", run.Output("worker.Insert()").Trim());

        // round robin
        AssertMatchesReference("a2_print_x", run.Output("void PrintX("));
        var queue = Lines(run.Output("string RunQueue()"));
        Assert.Equal("run queue: a -> b -> c", queue[0]);
        Assert.Equal(["a, turn 1", "after step 1: run queue: b -> c -> a", "b, turn 1", "after step 2: run queue: c -> a -> b"], queue[1..5]);
        Assert.Equal("after step 6: run queue: a -> b -> c", queue[^1]);

        // preemption by the watchdog
        Assert.StartsWith("polite: 1\npolite: 2\npolite: 3\nRun(100) returned busy, paused: True", run.Output("var victim = Stackless.Run(100)"));
        Assert.Equal("busy alive: False; tasklets alive: 0", run.Output("victim!.Kill()").Trim());

        // what a tasklet costs: a table and a chart
        var costs = Lines(run.Output("double BytesPerBlockedTasklet"));
        Assert.StartsWith("bytes while blocked", costs[1]);
        Assert.StartsWith("nanoseconds per hand-off", costs[2]);
        Assert.NotNull(run.Html("Chart.Grid").QuerySelector(".sl-chart-view .sl-chart"));

        // frames on the heap: a million levels deep and back in two steps, then the limit as an exception
        var deep = Lines(run.Output("async TaskletBody Down("));
        Assert.StartsWith("at the bottom: deep is Blocked; its 1,000,000 frames hold ", deep[0]);
        Assert.Equal("main receives 500,000,500,000 (1 + 2 + ... + 1,000,000 = 500,000,500,000)", deep[1]);
        Assert.Equal("then it returns all the way up: deep is Dead, after 2 steps in all", deep[2]);
        Assert.Equal(
            ["careful caught: maximum recursion depth exceeded in tasklet 'careful' (100,000 nested bodies).",
             "bystander: turn 1", "careful goes on", "bystander: turn 2", "tasklets alive: 0"],
            Lines(run.Output("async TaskletBody Bottomless(")));
    }

    [Fact]
    public async Task Channels()
    {
        var run = await RunNotebookAsync("03-channels.ipynb");

        AssertMatchesReference("c_channel", run.Output("#!run", after: "#!tasklet --name first"));

        // unbuffered
        Assert.Equal("sender: sending ping", run.Output("#!step", after: "#!tasklet --name sender").Trim());
        Assert.Equal("1", run.Html("#!channels --name ch").QuerySelector(".sl-channel-view[data-channel='ch']")?.GetAttribute("data-balance"));
        Assert.Equal("main received ping\nch.Balance = 0", run.Output("main received").Trim());
        Assert.Equal("sender: the send has completed", run.Output("#!run", after: "main received").Trim());

        // iterable, exceptions
        Assert.Equal("printer got 1\nprinter got 2\nprinter got 3\nproducer sent 3 numbers\nprinter: the loop is over",
            run.Output("#!run", after: "#!tasklet --name producer").Trim());
        Assert.StartsWith("receiver caught ArgumentException: this request makes no sense", run.Output("requests.SendException("));

        // deadlock: silent run, the panel, the dump, main's error
        var deadlock = run.Cell("#!run", after: "#!tasklet --name t2");
        Assert.Equal("tasklet t1\ntasklet t2", deadlock.Output.Trim());
        var panel = deadlock.Html.QuerySelector(".sl-deadlock-view[data-deadlock='true']");
        Assert.NotNull(panel);
        Assert.NotNull(panel.QuerySelector("tr[data-tasklet='t1'][data-channel='ch1'][data-direction='receive'][data-balance='-1']"));
        Assert.NotNull(panel.QuerySelector("tr[data-tasklet='t2'][data-channel='ch2'][data-direction='receive'][data-balance='-1']"));
        Assert.NotNull(panel.QuerySelector("[data-role='cycle']"));
        var reference = ReferenceLines("d_deadlock");
        Assert.Equal(reference[1..8], Normalize(run.Output("string PyReduce(")));
        Assert.NotNull(run.Html("var report =").QuerySelector(".sl-deadlock-view[data-deadlock='true']"));
        Assert.Equal(reference[8].Replace("RuntimeError", nameof(DeadlockException)), run.Output("var ch3 =").Trim());
        Assert.Equal(reference[^1], run.Output("t1.Kill();").Trim());

        // request/response, preferences
        AssertMatchesReference("e_request_response", run.Output("async Task<string> RequestInterface("));
        Assert.NotNull(run.Html("#!timeline", after: "async Task<string> RequestInterface(").QuerySelector("g.lane[data-tasklet='requestHandler']"));
        AssertMatchesReference("f_preference", run.Output("var preferenceTraces"));
        var sideBySide = run.Html("var sideBySide");
        Assert.Equal(3, sideBySide.QuerySelectorAll("svg.sl-timeline").Length);
        Assert.Equal(["preference -1", "preference 0", "preference 1"],
            sideBySide.QuerySelectorAll("h4").Select(h => h.TextContent.Split(':')[0]).ToArray());
    }

    [Fact]
    public async Task ActiveObjects()
    {
        var run = await RunNotebookAsync("04-active-objects.ipynb");

        // coupled: each invocation is executed at the very next step
        Assert.Equal(
            """
            step  2  alice invokes Deposit(100)
            step  3      account executes Deposit(100) for alice: balance 100
            step  4  bob invokes Deposit(50)
            step  5      account executes Deposit(50) for bob: balance 150
            step  6  alice invokes Deposit(20)
            step  7      account executes Deposit(20) for alice: balance 170
            step  8  bob invokes Withdraw(30)
            step  9      account executes Withdraw(30) for bob: balance 140
            step 10  alice goes on with her own work
            step 11  bob goes on with his own work
            """, run.Output("#!run", after: "new Account(\"account\", preference: -1)").Trim());

        // decoupled: calls wait in the channel, and the account executes them at later steps while the clients go on
        Assert.NotNull(run.Html("#!run --steps 4").QuerySelector(".sl-waitrow[data-channel='account-calls'][data-balance='3']"));
        var queue = run.Html("#!channels --name account-calls").QuerySelector(".sl-channel-view[data-channel='account-calls']");
        Assert.Equal("3", queue?.GetAttribute("data-balance"));
        Assert.Equal(["alice", "bob", "carol"], queue!.QuerySelectorAll("ol.sl-queue [data-tasklet]").Select(e => e.GetAttribute("data-tasklet") ?? "").ToArray());
        Assert.Equal(
            """
            step  2  alice invokes Deposit(100)
            step  2  alice invokes Deposit(20)
            step  3  bob invokes Deposit(50)
            step  4  carol invokes Balance()
            step  5      account executes Deposit(100) for alice: balance 100
            step  6  alice goes on with her own work
            step  7      account executes Deposit(20) for alice: balance 120
            step  8  bob invokes Withdraw(30)
            step  9      account executes Deposit(50) for bob: balance 170
            step 11      account executes Balance() for carol: balance 170
            step 12  carol sees balance 170
            step 14  bob goes on with his own work
            step 15      account executes Withdraw(30) for bob: balance 140
            """, (run.Output("#!run --steps 4") + run.Output("#!run", after: "#!channels --name account-calls")).Trim());
        var timeline = run.Html("#!timeline --plot");
        Assert.NotNull(timeline.QuerySelector("g.lane[data-tasklet='account']"));
        Assert.NotEmpty(timeline.QuerySelectorAll("g.handoff[data-from='alice'][data-to='account']"));
        Assert.NotEmpty(timeline.QuerySelectorAll(".sl-chart-view"));

        // synchronised access without locks
        Assert.Equal("1000 calls executed for 100 clients", run.Output("var shared =").Trim());
        Assert.EndsWith("auditor: the balance is 0", run.Output("#!run", after: "#!tasklet --name auditor").Trim());
    }

    [Fact]
    public async Task Networking()
    {
        var run = await RunNotebookAsync("05-networking.ipynb");

        // a blocking call stalls every tasklet; BlockOn blocks only its caller
        Assert.StartsWith("with Thread.Sleep: while the sleeper slept the ticker ticked 0 times; its first tick came after more than 250 ms",
            run.Output("BlockingSleeper").Trim());
        // five ticks when the machine keeps time; at least the first whatever the load (its 50 ms timer fires first)
        var polite = Regex.Match(run.Output("PoliteSleeper").Trim(), "^with BlockOn: while the sleeper slept the ticker ticked ([1-5]) times$");
        Assert.True(polite.Success, run.Output("PoliteSleeper"));
        var waits = run.Html("#!timeline");
        Assert.Equal(["ticker", "sleeper"], waits.QuerySelectorAll("g.lane").Select(l => l.GetAttribute("data-tasklet")));

        Assert.Equal("success: hello world", run.Output("ContinueWith").Trim());
        // synchronous style: one page after the other, whichever technique
        foreach (var technique in new[] { "Scheduler.Default.BlockOn(http", "reactor.BlockOn(http" })
        {
            var pages = Lines(run.Output("#!run", after: technique)).Where(l => l.Contains("page")).ToArray();
            Assert.Equal(["this is page one", "and this is page two"], pages);
        }
        Assert.NotNull(run.Html("#!run", after: "reactor.BlockOn(http").QuerySelector("g.lane[data-tasklet='reactor']"));

        // a tasklet per request, and nothing left alive once the server stops
        Assert.Equal(["hello A", "hello B", "hello C", "requests served: 3, tasklets still alive: 0"], Lines(run.Output("var watched =")));
        Assert.Equal(["echo: hello", "echo: tasklet sockets"], Lines(run.Output("TaskletSocket.Listen")));
        Assert.Matches("^server stopped after [0-9]+ requests; its tasklets alive: 0$", run.Output("await server.Stop()").Trim());
    }

    // ---- running a notebook --------------------------------------------------------------------------------------

    private sealed record CellRun(string Code, KernelCommandResult Result)
    {
        public string Output => Cell.StandardOutput(Result).Replace("\r\n", "\n");
        public AngleSharp.Html.Dom.IHtmlDocument Html => Cell.Document(Result);
        public object? ReturnValue => Cell.ReturnValue(Result);
    }

    private sealed class NotebookRun(string file, IReadOnlyList<CellRun> cells)
    {
        /// <summary>The <paramref name="occurrence"/>-th cell containing <paramref name="code"/>, after the first cell containing <paramref name="after"/>.</summary>
        public CellRun Cell(string code, string? after = null, int occurrence = 1)
        {
            var from = after is null ? 0 : FindIndex(0, after, 1) + 1;
            return cells[FindIndex(from, code, occurrence)];
        }

        public string Output(string code, string? after = null) => Cell(code, after).Output;

        public AngleSharp.Html.Dom.IHtmlDocument Html(string code, string? after = null) => Cell(code, after).Html;

        private int FindIndex(int from, string code, int occurrence)
        {
            for (var i = from; i < cells.Count; i++)
                if (cells[i].Code.Contains(code, StringComparison.Ordinal) && --occurrence == 0) return i;
            throw new InvalidOperationException($"{file}: no cell containing '{code}' (from cell {from}).");
        }
    }

    private async Task<NotebookRun> RunNotebookAsync(string file)
    {
        var kernels = new KernelInfoCollection { new DocumentKernelInfo("csharp", "C#", []) };
        kernels.DefaultKernelName = "csharp";
        var document = Notebook.Parse(await File.ReadAllTextAsync(Repository.Path("notebooks", file)), kernels);
        var code = document.Elements.Where(e => e.KernelName == "csharp").Select(e => e.Contents).ToList();
        Assert.StartsWith(LoadCellMarker, code[0]);
        Assert.StartsWith("using StacklessInteractive;", code[1].Trim());

        await notebook.Reset();
        var runs = new List<CellRun>();
        foreach (var contents in code.Skip(1))
        {
            var result = await notebook.Submit(contents);
            var failed = result.Events.OfType<Microsoft.DotNet.Interactive.Events.CommandFailed>().FirstOrDefault();
            Assert.True(failed is null, $"{file}: the cell\n{contents}\nfailed: {failed?.Message}");
            runs.Add(new CellRun(contents, result));
        }
        return new NotebookRun(file, runs);
    }

    // ---- outputs -------------------------------------------------------------------------------------------------

    private static string[] Lines(string text) => text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');

    // ---- what Stackless printed ----------------------------------------------------------------------------------

    /// <summary>The lines of tests/reference/NAME.out, object addresses masked.</summary>
    private static string[] ReferenceLines(string name) =>
        Normalize(File.ReadAllText(Repository.Path("tests", "reference", name + ".out")));

    private static string[] Normalize(string text) => Lines(AddressRegex().Replace(text, "0x?"));

    private static void AssertMatchesReference(string name, string actual)
    {
        var expected = ReferenceLines(name);
        var got = Normalize(actual);
        for (var i = 0; i < Math.Min(expected.Length, got.Length); i++)
            Assert.True(expected[i] == got[i], $"{name}.out line {i + 1}:\nexpected: {expected[i]}\nactual:   {got[i]}");
        Assert.True(expected.Length == got.Length, $"{name}.out has {expected.Length} lines, the notebook printed {got.Length}:\n{actual}");
    }

    [GeneratedRegex("0x[0-9a-f]+")]
    private static partial Regex AddressRegex();
}
