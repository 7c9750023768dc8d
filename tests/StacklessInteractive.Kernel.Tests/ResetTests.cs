namespace StacklessInteractive.Kernel.Tests;

/// <summary>#!stackless-reset leaves nothing half-alive: old tasklets are killed, old channels and tasklets raise.</summary>
[Collection(KernelCollection.Name)]
public class ResetTests(KernelFixture notebook)
{
    private const string Replaced = "belongs to a scheduler that #!stackless-reset replaced; create it again";

    /// <summary>The case: a reader blocked on an old channel, and a counter that sends on it after the reset.</summary>
    private async Task ArrangeReaderOnAsync()
    {
        await notebook.Reset();
        await notebook.Run("var a = new Channel<int>(name: \"a\");");
        await notebook.Run("#!tasklet --name reader\ntry { Console.WriteLine(\"reader got \" + await a.Receive()); }\nfinally { Console.WriteLine(\"reader's finally\"); }");
        await notebook.Run("#!run");
    }

    [Fact]
    public async Task Reset_KillsTheOldTasklets_AndShowsWhatTheirFinallyBlocksPrint()
    {
        await ArrangeReaderOnAsync();
        var reset = await notebook.Run("#!stackless-reset");
        Assert.Equal("reader's finally\n", Cell.StandardOutput(reset).Replace("\r", ""));
        Assert.Equal(0, Cell.ReturnValue(await notebook.Run("Scheduler.Default.AliveCount")));
    }

    [Fact]
    public async Task AnOldChannel_UsedFromACell_Raises_AndWakesNobody()
    {
        await ArrangeReaderOnAsync();
        await notebook.Run("#!stackless-reset");
        var send = await notebook.Submit("a.Send(99);");
        Assert.Contains("channel 'a' " + Replaced, Cell.FailureOf(send));
        Assert.DoesNotContain("reader got", Cell.StandardOutput(send));
    }

    [Fact]
    public async Task AnOldChannel_UsedByANewTasklet_RaisesInThatTasklet_NamingTheChannel()
    {
        await ArrangeReaderOnAsync();
        await notebook.Run("#!stackless-reset");
        await notebook.Run("#!tasklet --name counter\nawait a.Send(99);");
        var run = await notebook.Submit("#!run");
        Assert.Equal($"Tasklet counter raised SchedulerReplacedException: channel 'a' {Replaced}\nThe run stopped there; the other tasklets are as they were (#!tasklets shows them).",
            Cell.FailureOf(run));
        Assert.DoesNotContain("reader got", Cell.StandardOutput(run));
    }

    [Fact]
    public async Task AnOldTasklet_Used_Raises()
    {
        await notebook.Reset();
        await notebook.Run("#!tasklet --name old\nawait Scheduler.Default.Schedule();");
        await notebook.Run("var old = Scheduler.Default.Tasklets.Single();");
        await notebook.Run("#!stackless-reset");
        Assert.Contains("tasklet 'old' " + Replaced, Cell.FailureOf(await notebook.Submit("old.Insert();")));
        Assert.Contains("tasklet 'old' " + Replaced, Cell.FailureOf(await notebook.Submit("old.Kill();")));
    }

    [Fact]
    public async Task Reset_FromInsideATasklet_IsAClearError_AndTheSessionGoesOn()
    {
        await notebook.Reset();
        await notebook.Run("#!tasklet --name resetter\nStacklessInteractive.Kernel.NotebookSession.Current.Reset();");
        var run = await notebook.Submit("#!run");
        Assert.Equal("Tasklet resetter raised InvalidOperationException: #!stackless-reset cannot replace the scheduler while it runs (asked by tasklet resetter); do it once the run has returned.\nThe run stopped there; the other tasklets are as they were (#!tasklets shows them).",
            Cell.FailureOf(run));
        await notebook.Run("#!stackless-reset");
        await notebook.Run("#!tasklet --name after\nConsole.WriteLine(\"fine\");");
        Assert.Equal("fine\n", Cell.StandardOutput(await notebook.Run("#!run")).Replace("\r", ""));
    }

    [Fact]
    public async Task Reset_WhileAnotherCellsRunIsUnderWay_IsAClearError()
    {
        await notebook.Reset();
        await notebook.Run("long spins = 0;");
        await notebook.Run("#!tasklet --name spinner\nwhile (true) spins++;");
        var session = NotebookSession.Current;
        var running = notebook.Submit("#!run --timeout 0");
        while (!session.Running) await Task.Delay(20);
        await Task.Delay(100);
        // The kernel runs one cell at a time, so a second cell reaches the session from another thread.
        var error = Assert.Throws<InvalidOperationException>(session.Reset);
        Assert.Equal("#!stackless-reset cannot replace the scheduler while it runs (a run or an operation of main is under way); do it once the run has returned.", error.Message);
        Ticks.Interrupt();
        Assert.StartsWith("Stopped: the cell was interrupted while tasklet spinner", Cell.Document(await running).QuerySelector("p.sl-note")!.TextContent);
        await notebook.Run("#!stackless-reset"); // and once it has returned, the reset kills the spinner
        Assert.Equal(0, Cell.ReturnValue(await notebook.Run("Scheduler.Default.AliveCount")));
    }
}
