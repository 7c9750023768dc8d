namespace StacklessInteractive.Kernel.Tests;

/// <summary>
/// Every kind of bad input fails its own cell with a message a person can act on, and leaves the kernel usable
/// and the scheduler as it was.
/// </summary>
[Collection(KernelCollection.Name)]
public class BadInputTests(KernelFixture notebook)
{
    /// <summary>A blocked consumer and a runnable producer: state that bad input must not disturb.</summary>
    private async Task<string> ArrangeAsync()
    {
        await notebook.Reset();
        await notebook.Run("var ch = new Channel<int>(name: \"ch\");");
        await notebook.Run("#!tasklet --name consumer\nConsole.WriteLine(\"got \" + await ch.Receive());");
        await notebook.Run("#!step");
        await notebook.Run("#!tasklet --name producer\nawait ch.Send(7);");
        return await StateAsync();
    }

    private async Task<string> StateAsync()
    {
        var result = await notebook.Run("string.Join(\"; \", Scheduler.Default.Tasklets.OrderBy(t => t.Id).Select(t => $\"{t.Name} {t.State}\")) + $\" | balance {ch.Balance} | steps {Scheduler.Default.Steps}\"");
        return (string)Cell.ReturnValue(result)!;
    }

    private async Task AssertIntactAsync(string before)
    {
        Assert.Equal(before, await StateAsync());
        Assert.Equal(2, Cell.ReturnValue(await notebook.Run("1 + 1")));
        // and the program still runs to its end
        var run = await notebook.Run("#!run");
        Assert.Equal("got 7\n", Cell.StandardOutput(run).Replace("\r", ""));
    }

    [Theory]
    [InlineData("#!run --stpes 3")]
    [InlineData("#!run --steps x")]
    [InlineData("#!timeline --last x")]
    [InlineData("#!step --steps 2")]
    public async Task UnknownOptionsAndNonNumbers_FailTheCell(string cell)
    {
        var before = await ArrangeAsync();
        var result = await notebook.Submit(cell);
        Assert.False(string.IsNullOrWhiteSpace(Cell.FailureOf(result)), cell);
        await AssertIntactAsync(before);
    }

    [Fact]
    public async Task NegativeSteps_FailWithAMessageNamingTheOption()
    {
        var before = await ArrangeAsync();
        var message = Cell.FailureOf(await notebook.Submit("#!run --steps -1"));
        Assert.Contains("--steps", message);
        Assert.Contains("0 or more", message);
        await AssertIntactAsync(before);
    }

    [Theory]
    [InlineData("#!tasklets --name nobody", "no alive tasklet is named 'nobody'")]
    [InlineData("#!timeline --tasklet nobody", "no tasklet named 'nobody'")]
    [InlineData("#!channels --name nothing", "no channel is named 'nothing'")]
    public async Task UnknownNames_FailAndListTheKnownOnes(string cell, string expected)
    {
        var before = await ArrangeAsync();
        var message = Cell.FailureOf(await notebook.Submit(cell));
        Assert.Contains(expected, message);
        if (!cell.StartsWith("#!channels")) Assert.Contains("producer", message); // it says which names exist
        await AssertIntactAsync(before);
    }

    [Fact]
    public async Task ABodyThatDoesNotCompile_FailsTheCell_AndSpawnsNothing()
    {
        var before = await ArrangeAsync();
        var (result, seen) = await notebook.SubmitSeeingAll("#!tasklet --name broken\nawait ch.Send(\"not an int\");");
        var message = Cell.FailureOf(result);
        Assert.Contains("broken", message);
        Assert.Contains("does not compile", message);
        Assert.DoesNotContain("CS1503", message); // said once, by the compiler, not repeated in ours
        Assert.Contains(seen.OfType<Microsoft.DotNet.Interactive.Events.DiagnosticsProduced>().SelectMany(d => d.Diagnostics), d => d.Code == "CS1503");
        await AssertIntactAsync(before);
    }

    [Fact]
    public async Task ABodyThatThrows_FailsTheRunCell_NamingTheTasklet_AndTheOthersGoOn()
    {
        var before = await ArrangeAsync();
        await notebook.Run("#!tasklet --name boom\nthrow new InvalidOperationException(\"kaboom\");");
        var run = await notebook.Submit("#!run");
        var message = Cell.FailureOf(run);
        Assert.Contains("Tasklet boom raised InvalidOperationException: kaboom", message);
        // the producer ran before boom (FIFO): its hand-off is in this run's output
        Assert.Equal("got 7\n", Cell.StandardOutput(run).Replace("\r", ""));
        Assert.Equal(2, Cell.ReturnValue(await notebook.Run("1 + 1")));
        var state = await StateAsync();
        Assert.DoesNotContain("boom", state); // it died; nobody else is disturbed
        Assert.Contains("balance 0", state);
        _ = before;
    }

    [Fact]
    public async Task ATaskletCellWithoutABody_Fails()
    {
        var before = await ArrangeAsync();
        Assert.Contains("no body", Cell.FailureOf(await notebook.Submit("#!tasklet --name empty\n")));
        await AssertIntactAsync(before);
    }
}
