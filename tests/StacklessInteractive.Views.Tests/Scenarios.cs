using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace StacklessInteractive.Views.Tests;

/// <summary>Real runtime scenarios the views are tested on, and HTML parsing.</summary>
internal static class Scenarios
{
    public static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    /// <summary>
    /// producer sends 1 and 2 to consumer over <c>ch</c> (preference -1). Steps: 1 producer blocks sending;
    /// 2 consumer takes 1 and blocks receiving; 3 producer hands 2 to consumer and switches to it; 4 consumer ends;
    /// 5 producer ends.
    /// </summary>
    public static (Scheduler S, Tasklet Producer, Tasklet Consumer, Channel<int> Ch) ProducerConsumer(int capacity = 1000)
    {
        var s = new Scheduler { Trace = new TraceRecorder(capacity) };
        var ch = new Channel<int>(s, name: "ch");
        var producer = s.Spawn(async () => { await ch.Send(1); await ch.Send(2); }, name: "producer");
        var consumer = s.Spawn(async () => { await ch.Receive(); await ch.Receive(); }, name: "consumer");
        s.Run();
        return (s, producer, consumer, ch);
    }

    /// <summary>The talk's deadlock: t1 receives on ch1 then sends on ch2, t2 the reverse; both block receiving.</summary>
    public static (Scheduler S, Tasklet T1, Tasklet T2, Channel Ch1, Channel Ch2) Deadlock(bool trackChannels = false)
    {
        var s = new Scheduler { Trace = new TraceRecorder(), TrackChannels = trackChannels };
        async TaskletBody Task(Channel x, Channel y, string message)
        {
            await x.Receive();
            await y.Send(message);
        }
        var ch1 = new Channel(s, name: "ch1");
        var ch2 = new Channel(s, name: "ch2");
        var t1 = s.Spawn(Task, ch1, ch2, "t1 message", name: "t1");
        var t2 = s.Spawn(Task, ch2, ch1, "t2 message", name: "t2");
        s.Run();
        return (s, t1, t2, ch1, ch2);
    }

    /// <summary>a sends 0..n-1 to b: about two steps per value.</summary>
    public static Scheduler PingPong(int n)
    {
        var s = new Scheduler { Trace = new TraceRecorder() };
        var ch = new Channel<int>(s, name: "ping");
        s.Spawn(async () => { for (var i = 0; i < n; i++) await ch.Send(i); }, name: "a");
        s.Spawn(async () => { for (var i = 0; i < n; i++) await ch.Receive(); }, name: "b");
        s.Run();
        return s;
    }

    public static IReadOnlyList<TraceEvent> Events(this Scheduler s) => s.Trace!.Events;

    /// <summary>The state data attribute of the cell of <paramref name="lane"/> that covers <paramref name="step"/>.</summary>
    public static string? CellStateAt(IElement lane, long step) =>
        lane.QuerySelectorAll("rect.cell")
            .FirstOrDefault(r => long.Parse(r.GetAttribute("data-start")!) <= step && step <= long.Parse(r.GetAttribute("data-end")!))
            ?.GetAttribute("data-state");
}
