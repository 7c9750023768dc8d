namespace StacklessInteractive.Kernel.Tests;

/// <summary>
/// The extension parses its own options (issue 16, part 3): each mistake says what the option takes and what it
/// got, in place of the host's "DNI106 Invalid JSON" or "DNI103 Unrecognized parameter name"; and the session goes on.
/// </summary>
[Collection(KernelCollection.Name)]
public class OptionTests(KernelFixture notebook)
{
    [Theory]
    [InlineData("#!run --steps abc", "#!run --steps takes a whole number of steps, 0 or more; got 'abc' (not a number).")]
    [InlineData("#!run --steps 2.5", "#!run --steps takes a whole number of steps, 0 or more; got '2.5' (not a whole number).")]
    [InlineData("#!run --steps 1e3", "#!run --steps takes a whole number of steps, 0 or more; got '1e3' (write it as a plain whole number: 1000).")]
    [InlineData("#!run --steps 99999999999999999999", "#!run --steps takes a whole number of steps, 0 or more; got '99999999999999999999' (too large: at most 9,223,372,036,854,775,807).")]
    [InlineData("#!run --steps -1", "#!run --steps takes a whole number of steps, 0 or more; got '-1' (a negative number).")]
    [InlineData("#!timeline --last abc", "#!timeline --last takes a whole number of steps, 1 or more; got 'abc' (not a number).")]
    [InlineData("#!timeline --last 0", "#!timeline --last takes a whole number of steps, 1 or more; got '0' (less than 1).")]
    [InlineData("#!run --timeout soon", "#!run --timeout takes a number of seconds, 0 or more (0: no limit); got 'soon' (not a number).")]
    [InlineData("#!run --steps", "#!run --steps takes a whole number of steps, 0 or more; got nothing. Write it as --steps N.")]
    [InlineData("#!tasklets --name", "#!tasklets --name takes a name; got nothing. Write it as --name NAME.")]
    [InlineData("#!channels --name", "#!channels --name takes a name; got nothing. Write it as --name NAME.")]
    [InlineData("#!run --steps --steps 3", "#!run --steps takes a whole number of steps, 0 or more; got nothing. Write it as --steps N.")]
    [InlineData("#!run --steps 1 --steps 2", "#!run --steps is given twice; give it once.")]
    [InlineData("#!step 5", "#!step takes no argument '5'. For 5 steps write #!run --steps 5. #!step --help says more.")]
    [InlineData("#!run 5", "#!run takes no argument '5'. Its options: --steps N, --timeout SECONDS. #!run --help says more.")]
    [InlineData("#!run --step 3", "#!run has no option --step. Did you mean --steps? Its options: --steps N, --timeout SECONDS.")]
    [InlineData("#!timeline --tasklets x", "#!timeline has no option --tasklets. Did you mean --tasklet?")]
    [InlineData("#!step --steps 2", "#!step has no option --steps. #!step takes no options.")]
    [InlineData("#!tasklet --name\nawait Stackless.Schedule();", "#!tasklet --name takes a name; got nothing. Write it as --name NAME.")]
    [InlineData("#!tasklet --nmae x\nawait Stackless.Schedule();", "#!tasklet has no option --nmae. Did you mean --name?")]
    [InlineData("#!tasklet --name\n", "#!tasklet --name takes a name; got nothing.")]
    public async Task AMistake_SaysWhatTheOptionTakes_AndWhatItGot_AndTheSessionGoesOn(string cell, string expected)
    {
        await notebook.Reset();
        await notebook.Run("var ch = new Channel<int>(name: \"ch\");");
        await notebook.Run("#!tasklet --name consumer\nConsole.WriteLine(\"got \" + await ch.Receive());");
        var message = Cell.FailureOf(await notebook.Submit(cell));
        Assert.StartsWith(expected, message);
        Assert.DoesNotContain("DNI", message);
        Assert.Equal(1, Cell.ReturnValue(await notebook.Run("Scheduler.Default.Tasklets.Count")));  // nothing spawned, nothing run
        Assert.Equal(0L, Cell.ReturnValue(await notebook.Run("Scheduler.Default.Steps")));
        await notebook.Run("#!tasklet --name producer\nawait ch.Send(7);");
        Assert.Equal("got 7\n", Cell.StandardOutput(await notebook.Run("#!run")).Replace("\r", ""));
    }

    [Theory]
    [InlineData("#!tasklet")]
    [InlineData("#!run")]
    [InlineData("#!step")]
    [InlineData("#!tasklets")]
    [InlineData("#!channels")]
    [InlineData("#!timeline")]
    [InlineData("#!explore")]
    [InlineData("#!replay")]
    [InlineData("#!stackless-reset")]
    [InlineData("#!stackless")]
    public async Task Help_WorksForEveryCommand_AndDoesNothingElse(string command)
    {
        await notebook.Reset();
        await notebook.Run("#!tasklet --name a\nawait Stackless.Schedule();");
        foreach (var spelling in new[] { " --help", " -h" })
        {
            var doc = Cell.Document(await notebook.Run(command + spelling));
            var row = Assert.Single(doc.QuerySelectorAll(".sl-help tbody tr"));
            Assert.Equal(command, row.QuerySelector("td code")!.TextContent);
            Assert.Contains("--help", row.TextContent);
        }
        Assert.Equal(1, Cell.ReturnValue(await notebook.Run("Scheduler.Default.Tasklets.Count"))); // not reset, not run, nothing spawned
        Assert.Equal(0L, Cell.ReturnValue(await notebook.Run("Scheduler.Default.Steps")));
    }

    [Fact]
    public async Task QuotedNames_AndZeroSteps_AreAccepted()
    {
        await notebook.Reset();
        await notebook.Run("#!tasklet --name \"two words\"\nawait Stackless.Schedule();");
        var named = Cell.Document(await notebook.Run("#!tasklets --name \"two words\""));
        Assert.Equal("two words", named.QuerySelector(".sl-tasklets tr[data-tasklet]")!.GetAttribute("data-tasklet"));
        Assert.StartsWith("Ran 0 steps.", Cell.Document(await notebook.Run("#!run --steps 0 --timeout 2.5")).QuerySelector(".sl-note")!.TextContent);
        Assert.StartsWith("Ran 1 step (step 1).", Cell.Document(await notebook.Run("#!step")).QuerySelector(".sl-note")!.TextContent);
    }

    [Fact]
    public void EveryCommandsLine_IsFoundOnItsCommand_NotGuessedFromTheCell()
    {
        // The host's internal DirectiveNode property gives each command its own line; if a host update removes it,
        // two lines of the same directive in one cell would both read the first.
        Assert.NotNull(typeof(Microsoft.DotNet.Interactive.Commands.KernelDirectiveCommand).GetProperty("DirectiveNode",
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic));
    }

    [Fact]
    public async Task TwoRunsInOneCell_EachReadsItsOwnLine()
    {
        await notebook.Reset();
        await notebook.Run("#!tasklet --name a\nwhile (true) await Stackless.Schedule();");
        var notes = Cell.Document(await notebook.Run("#!run --steps 2\n#!run --steps 3")).QuerySelectorAll(".sl-note").Select(n => n.TextContent).ToList();
        Assert.Contains(notes, n => n.StartsWith("Ran 2 steps (steps 1\u20132)."));
        Assert.Contains(notes, n => n.StartsWith("Ran 3 steps (steps 3\u20135)."));
        await notebook.Run("Scheduler.Default.Tasklets.Single().Kill();");
    }
}

/// <summary>A main cell that calls a channel operation without await (fine in Stackless) gets no CS4014 warning; others still do.</summary>
[Collection(KernelCollection.Name)]
public class MainCellWarningTests(KernelFixture notebook)
{
    private static IEnumerable<string> Warnings(Microsoft.DotNet.Interactive.KernelCommandResult result) =>
        result.Events.OfType<Microsoft.DotNet.Interactive.Events.DiagnosticsProduced>().SelectMany(d => d.Diagnostics).Select(d => d.Code)
            .Concat(result.Events.OfType<Microsoft.DotNet.Interactive.Events.StandardErrorValueProduced>().SelectMany(e => e.FormattedValues).Select(v => v.Value));

    [Fact]
    public async Task SendFromMainWithoutAwait_DoesNotWarn_AndTheCellStillReturnsItsValue()
    {
        await notebook.Reset();
        await notebook.Run("var box = new Channel<int>(name: \"box\");");
        await notebook.Run("#!tasklet --name reader\nConsole.WriteLine(\"read \" + await box.Receive());");
        await notebook.Run("#!run");
        var send = await notebook.Run("box.Send(7);\n40 + 2");
        Assert.DoesNotContain(Warnings(send), w => w.Contains("CS4014"));
        Assert.Equal(42, Cell.ReturnValue(send));
        Assert.Equal("read 7\n", (Cell.StandardOutput(send) + Cell.StandardOutput(await notebook.Run("#!run"))).Replace("\r", ""));

        // a Task not awaited is still worth a warning, and a line number still counts from the cell's first line
        var task = await notebook.Submit("async System.Threading.Tasks.Task Later() => await System.Threading.Tasks.Task.Yield();\nLater();");
        Assert.Contains(Warnings(task), w => w.Contains("CS4014"));
        var error = Cell.FailureOf(await notebook.Submit("box.Send(1);\nundefinedName"));
        Assert.Contains("(2,1)", error);
    }
}
