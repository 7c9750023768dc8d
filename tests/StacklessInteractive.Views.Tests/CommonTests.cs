namespace StacklessInteractive.Views.Tests;

/// <summary>What every view promises: user text is escaped, output is deterministic and self-contained.</summary>
public class CommonTests
{
    private const string Evil = "<script>alert('x')</script>";

    /// <summary>A deadlock where every name and value is hostile HTML.</summary>
    private static (Scheduler S, Channel<string> Ch) Hostile()
    {
        var s = new Scheduler { Trace = new TraceRecorder(), TrackChannels = true };
        var ch = new Channel<string>(s, name: "<b>chan</b>");
        var other = new Channel<string>(s, name: "<i>other</i>");
        s.Spawn(async () => { await ch.Send("<img src=x onerror=alert(1)>"); await other.Receive(); }, name: Evil);
        s.Spawn(async () => { await ch.Receive(); await ch.Send("<img src=y>"); }, name: "<u>two</u>");
        s.Run();
        return (s, ch);
    }

    private static IEnumerable<(string View, string Html)> AllViews()
    {
        var (s, ch) = Hostile();
        yield return ("scheduler", SchedulerView.Render(s));
        yield return ("channel", ChannelView.Render(ch, s.Events()));
        yield return ("channels", ChannelView.RenderAll(s.Channels, s.Events()));
        yield return ("table", TaskletTable.Render(s.Tasklets));
        yield return ("timeline", TimelineView.Render(s.Events()));
        yield return ("summarised timeline", TimelineView.Render(s.Events(), new TimelineOptions { MaxSteps = 1 }));
        yield return ("deadlock", DeadlockView.Render(s.GetDeadlockReport()));
    }

    [Fact]
    public void HostileNamesAndValues_AppearAsText_NothingIsInjected()
    {
        foreach (var (view, html) in AllViews())
        {
            var doc = Scenarios.Parse(html);
            Assert.True(doc.QuerySelectorAll("script, img, b, i, u").Length == 0, $"{view}: an element was injected");
            foreach (var raw in new[] { Evil, "<b>chan</b>", "<i>other</i>", "<u>two</u>", "<img" })
                Assert.False(html.Contains(raw), $"{view}: {raw} is in the HTML unescaped");
        }
        Assert.Contains(Evil, Scenarios.Parse(SchedulerView.Render(Hostile().S)).Body!.TextContent);
        Assert.Contains("<b>chan</b>", Scenarios.Parse(ChannelView.Render(Hostile().Ch)).QuerySelector(".sl-title")!.TextContent);
        Assert.Equal(Evil, Scenarios.Parse(TimelineView.Render(Hostile().S.Events())).QuerySelector("g.lane")!.GetAttribute("data-tasklet"));
        var (s, ch) = Hostile();
        Assert.Contains(Evil, Scenarios.Parse(TaskletTable.Render(s.Tasklets)).QuerySelector("tbody tr td:nth-child(2)")!.TextContent);
        Assert.Equal("<img src=y>", Scenarios.Parse(ChannelView.Render(ch, s.Events())).QuerySelector("ol.sl-queue > li")!.GetAttribute("data-value"));
        Assert.Equal("<img src=x onerror=alert(1)>", Scenarios.Parse(TimelineView.Render(s.Events())).QuerySelector("g.handoff")!.GetAttribute("data-value"));
    }

    [Fact]
    public void EveryView_IsDeterministicAndCarriesItsStyleUnderTheRootClass()
    {
        var first = AllViews().ToList();
        var second = AllViews().ToList();
        Assert.Equal(first.Select(v => v.Html), second.Select(v => v.Html));
        foreach (var (view, html) in first)
        {
            var doc = Scenarios.Parse(html);
            var root = doc.Body!.FirstElementChild!;
            Assert.True(root.ClassList.Contains("sl-view"), view);
            var style = Assert.Single(doc.QuerySelectorAll("style")).TextContent;
            Assert.All(style.Split('}', StringSplitOptions.RemoveEmptyEntries), rule => Assert.StartsWith(".sl-view", rule.Split(',')[0].Trim()));
        }
    }

    [Fact]
    public void ValueText_ShowsNullExceptionsAndThrowingToString()
    {
        Assert.Equal("null", Html.ValueText(null));
        Assert.Equal("InvalidOperationException: boom", Html.ValueText(new InvalidOperationException("boom")));
        Assert.Equal("1.5", Html.ValueText(1.5));
        Assert.Equal("<ToString() threw NotSupportedException>", Html.ValueText(new Throws()));
        Assert.Equal("abc\u2026", Html.Shorten("abcdef", 4));
        Assert.Equal("a&lt;b&gt;&amp;&quot;&#39;", Html.Escape("a<b>&\"'"));
    }

    private sealed class Throws
    {
        public override string ToString() => throw new NotSupportedException();
    }
}
