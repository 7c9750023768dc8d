namespace StacklessInteractive.Views.Tests;

/// <summary>A channel in words, and its __reduce__ tuple.</summary>
public class ChannelViewTests
{
    private static string Prop(AngleSharp.Dom.IDocument doc, string prop) =>
        doc.QuerySelector($"tr[data-prop={prop}] td")!.TextContent;

    [Fact]
    public void TenThousandSendersWaiting_ShowARowOfWaitersAndHowManyMore_AndAShortenedReduce()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel<int>(s, name: "sink");
        for (var i = 0; i < 10_000; i++) { var k = i; s.Spawn(async () => { await ch.Send(k); }, name: "e" + i); }
        s.Run();
        var html = ChannelView.Render(ch, s.Events());
        var doc = Scenarios.Parse(html);

        var waiters = doc.QuerySelectorAll("ol.sl-queue > li[data-role=waiter]");
        Assert.Equal(SchedulerView.DefaultMaxPerRow, waiters.Length);
        Assert.Equal(["e0", "e1"], waiters.Take(2).Select(li => li.GetAttribute("data-tasklet")));
        Assert.Equal("0", waiters[0].GetAttribute("data-value"));
        Assert.Equal((10_000 - SchedulerView.DefaultMaxPerRow).ToString(System.Globalization.CultureInfo.InvariantCulture),
            doc.QuerySelector("ol.sl-queue > li[data-role=more]")!.GetAttribute("data-count"));
        var reduce = doc.QuerySelector("tr[data-prop=reduce] code")!.TextContent;
        Assert.Equal(ChannelView.MaxReduceText, reduce.Length);
        Assert.StartsWith("(10000, 6, [e0, e1, ", reduce);
        Assert.EndsWith("\u2026", reduce);
        Assert.True(html.Length < 100_000, $"{html.Length} characters");
    }

    [Fact]
    public void SendersWaiting_PositiveBalanceQueueOrderAndTheirValues()
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel<int>(s, name: "numbers");
        s.Spawn(async () => { await ch.Send(10); }, name: "s1");
        s.Spawn(async () => { await ch.Send(20); }, name: "s2");
        s.Run();
        var doc = Scenarios.Parse(ChannelView.Render(ch, s.Events()));

        var root = doc.QuerySelector(".sl-channel-view")!;
        Assert.Equal(("numbers", ch.Id.ToString(), "2"), (root.GetAttribute("data-channel"), root.GetAttribute("data-channel-id"), root.GetAttribute("data-balance")));
        Assert.Equal("2", Prop(doc, "balance"));
        Assert.Contains("2 senders waiting", doc.QuerySelector("tr[data-prop=balance]")!.TextContent);
        Assert.Equal("-1", Prop(doc, "preference"));
        Assert.Contains("prefer receiver", doc.QuerySelector("tr[data-prop=preference]")!.TextContent);
        Assert.Equal("false", Prop(doc, "schedule_all"));
        Assert.Equal("open", Prop(doc, "state"));
        Assert.Equal(ch.Reduce().ToString(), doc.QuerySelector("tr[data-prop=reduce] code")!.TextContent);
        Assert.Equal("(2, 6, [s1, s2])", doc.QuerySelector("tr[data-prop=reduce] code")!.TextContent);

        var queue = doc.QuerySelectorAll("ol.sl-queue > li");
        Assert.Equal(new[] { "s1", "s2" }, queue.Select(li => li.GetAttribute("data-tasklet")));
        Assert.All(queue, li => Assert.Equal("send", li.GetAttribute("data-direction")));
        Assert.Equal(new[] { "10", "20" }, queue.Select(li => li.GetAttribute("data-value")));
    }

    [Fact]
    public void WithoutTheTrace_SendersValuesAreNotShown()
    {
        var s = new Scheduler();
        var ch = new Channel<int>(s, name: "numbers");
        s.Spawn(async () => { await ch.Send(10); }, name: "s1");
        s.Run();
        var li = Assert.Single(Scenarios.Parse(ChannelView.Render(ch)).QuerySelectorAll("ol.sl-queue > li"));
        Assert.Null(li.GetAttribute("data-value"));
    }

    [Fact]
    public void ReceiversWaiting_NegativeBalanceAndPreferenceWords()
    {
        var s = new Scheduler();
        var ch = new Channel(s, name: "c") { Preference = 1, ScheduleAll = true };
        s.Spawn(async () => { await ch.Receive(); }, name: "r");
        s.Run();
        var doc = Scenarios.Parse(ChannelView.Render(ch));
        Assert.Equal("-1", Prop(doc, "balance"));
        Assert.Contains("1 receiver waiting", doc.QuerySelector("tr[data-prop=balance]")!.TextContent);
        Assert.Equal("1", Prop(doc, "preference"));
        Assert.Contains("prefer sender", doc.QuerySelector("tr[data-prop=preference]")!.TextContent);
        Assert.Equal("true", Prop(doc, "schedule_all"));
        Assert.Equal("(-1, 10, [r])", doc.QuerySelector("tr[data-prop=reduce] code")!.TextContent);
        Assert.Equal("receive", doc.QuerySelector("ol.sl-queue > li")!.GetAttribute("data-direction"));

        ch.Preference = 0;
        Assert.Contains("prefer neither", Scenarios.Parse(ChannelView.Render(ch)).QuerySelector("tr[data-prop=preference]")!.TextContent);
    }

    [Fact]
    public void ClosingAndClosed()
    {
        var s = new Scheduler();
        var busy = new Channel(s, name: "busy");
        s.Spawn(async () => { await busy.Send(1); }, name: "w");
        s.Run();
        busy.Close();
        Assert.Equal("closing", Prop(Scenarios.Parse(ChannelView.Render(busy)), "state"));
        var idle = new Channel(s, name: "idle");
        idle.Close();
        var doc = Scenarios.Parse(ChannelView.Render(idle));
        Assert.Equal("closed", Prop(doc, "state"));
        Assert.NotNull(doc.QuerySelector("[data-role=queue-empty]"));
    }

    [Fact]
    public void RenderAll_OneBoxPerChannelInOrderWithOneStyleSheet()
    {
        var (s, _, _, ch1, ch2) = Scenarios.Deadlock();
        var doc = Scenarios.Parse(ChannelView.RenderAll([ch2, ch1]));
        Assert.Equal(new[] { "ch2", "ch1" }, doc.QuerySelectorAll(".sl-channel-view").Select(e => e.GetAttribute("data-channel")));
        Assert.Equal(new[] { "-1", "-1" }, doc.QuerySelectorAll(".sl-channel-view").Select(e => e.GetAttribute("data-balance")));
        Assert.Single(doc.QuerySelectorAll("style"));
        Assert.NotNull(Scenarios.Parse(ChannelView.RenderAll([])).QuerySelector(".sl-channels[data-count='0']"));
        _ = s;
    }
}
