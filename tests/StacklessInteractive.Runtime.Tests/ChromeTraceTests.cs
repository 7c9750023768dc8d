using System.Text.Json;

namespace StacklessInteractive.Tests;

/// <summary>TraceRecorder.WriteChromeTrace: the Chrome trace-event JSON that Perfetto UI and chrome://tracing open.</summary>
public class ChromeTraceTests
{
    private static readonly string[] Phases = ["M", "X", "s", "f", "i", "C"];

    /// <summary>The file's events, parsed; fails when the file is not the trace-event format's JSON object.</summary>
    private static List<JsonElement> Parse(TraceRecorder trace)
    {
        using var stream = new MemoryStream();
        trace.WriteChromeTrace(stream);
        var doc = JsonDocument.Parse(stream.ToArray());
        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("traceEvents").ValueKind);
        Assert.Equal(trace.Count, doc.RootElement.GetProperty("otherData").GetProperty("events").GetInt64());
        return doc.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
    }

    private static string Ph(JsonElement e) => e.GetProperty("ph").GetString()!;
    private static long Ts(JsonElement e) => e.GetProperty("ts").GetInt64();
    private static long Dur(JsonElement e) => e.GetProperty("dur").GetInt64();
    private static int Tid(JsonElement e) => e.GetProperty("tid").GetInt32();
    private static string Cat(JsonElement e) => e.GetProperty("cat").GetString()!;
    private static string Name(JsonElement e) => e.GetProperty("name").GetString()!;

    /// <summary>A producer sends 1..3 to a consumer over a named channel, then both end.</summary>
    private static (Scheduler S, TraceRecorder Trace, Tasklet Producer, Tasklet Consumer, List<int> Got) ProducerConsumer()
    {
        var s = new Scheduler();
        var trace = s.Trace = new TraceRecorder();
        var ch = new Channel<int>(s) { Name = "numbers" };
        var got = new List<int>();
        var consumer = s.Spawn(async () => { for (var i = 0; i < 3; i++) got.Add(await ch.Receive()); }, "consumer");
        var producer = s.Spawn(async () => { for (var i = 1; i <= 3; i++) await ch.Send(i); }, "producer");
        s.Run();
        return (s, trace, producer, consumer, got);
    }

    [Fact]
    public void EveryEvent_HasAKnownPhaseThePidAndANamedThread()
    {
        var (_, trace, producer, consumer, _) = ProducerConsumer();
        var events = Parse(trace);
        Assert.All(events, e => Assert.Contains(Ph(e), Phases));
        Assert.All(events, e => Assert.Equal(1, e.GetProperty("pid").GetInt32()));
        var threads = events.Where(e => Ph(e) == "M" && Name(e) == "thread_name")
            .ToDictionary(Tid, e => e.GetProperty("args").GetProperty("name").GetString());
        Assert.Equal("consumer #" + consumer.Id, threads[consumer.Id]);
        Assert.Equal("producer #" + producer.Id, threads[producer.Id]);
        Assert.All(events.Where(e => Ph(e) is "X" or "i" or "s" or "f"), e => Assert.True(threads.ContainsKey(Tid(e)), $"tid {Tid(e)} has a name"));
        Assert.Single(events, e => Ph(e) == "M" && Name(e) == "process_name");
    }

    [Fact]
    public void Steps_AreOneSlicePerRunEvent_OnTheRunnersTrack_InOrder_WithoutOverlap()
    {
        var (_, trace, _, _, _) = ProducerConsumer();
        var runs = trace.Events.Where(e => e.Reason == TraceReason.Run).ToList();
        var steps = Parse(trace).Where(e => Ph(e) == "X" && Cat(e) == "step").OrderBy(Ts).ToList();
        Assert.Equal(runs.Select(r => (r.Tasklet.Id, r.Step)), steps.Select(e => (Tid(e), e.GetProperty("args").GetProperty("step").GetInt64())));
        Assert.All(steps, e => Assert.True(Dur(e) >= 1));
        for (var i = 1; i < steps.Count; i++)
            Assert.True(Ts(steps[i - 1]) + Dur(steps[i - 1]) <= Ts(steps[i]), $"step slice {i - 1} ends before step slice {i} begins");
        // Each slice is named by how its step ended; the consumer's first step ends blocked receiving.
        Assert.Equal("block receive", Name(steps[0]));
        Assert.Equal("block receive", steps[0].GetProperty("args").GetProperty("ended").GetString());
        Assert.Contains(steps, e => Name(e) == "exit");
    }

    [Fact]
    public void HandOffs_AreFlowsFromSenderToReceiver_WithChannelAndValue_BoundToSlicesAtTheSameTime()
    {
        var (_, trace, producer, consumer, got) = ProducerConsumer();
        Assert.Equal([1, 2, 3], got);
        var events = Parse(trace);
        var starts = events.Where(e => Ph(e) == "s").ToList();
        var finishes = events.Where(e => Ph(e) == "f").ToDictionary(e => e.GetProperty("id").GetInt64());
        Assert.Equal(3, starts.Count);
        Assert.Equal(starts.Count, starts.Select(e => e.GetProperty("id").GetInt64()).Distinct().Count());
        var slices = events.Where(e => Ph(e) == "X" && Cat(e) == "handoff").ToList();
        var values = new List<int>();
        foreach (var s in starts)
        {
            var f = finishes[s.GetProperty("id").GetInt64()];
            Assert.Equal("e", f.GetProperty("bp").GetString());
            Assert.Equal(producer.Id, Tid(s));
            Assert.Equal(consumer.Id, Tid(f));
            Assert.Equal(Ts(s), Ts(f));
            // Both ends have a slice enclosing them, carrying the channel and the value.
            var send = Assert.Single(slices, x => Tid(x) == Tid(s) && Ts(x) == Ts(s));
            var receive = Assert.Single(slices, x => Tid(x) == Tid(f) && Ts(x) == Ts(f));
            Assert.StartsWith("send on numbers #", Name(send));
            Assert.StartsWith("receive on numbers", Name(receive));
            Assert.StartsWith("numbers", send.GetProperty("args").GetProperty("channel").GetString());
            values.Add(send.GetProperty("args").GetProperty("value").GetInt32());
            Assert.Equal(values[^1], receive.GetProperty("args").GetProperty("value").GetInt32());
        }
        Assert.Equal([1, 2, 3], values);
        // A hand-off slice on a tasklet's track lies within that tasklet's step when one encloses its time.
        var steps = events.Where(e => Ph(e) == "X" && Cat(e) == "step").ToList();
        foreach (var h in slices)
        foreach (var st in steps.Where(st => Tid(st) == Tid(h) && Ts(st) <= Ts(h) && Ts(h) < Ts(st) + Dur(st)))
            Assert.True(Ts(h) + Dur(h) <= Ts(st) + Dur(st), "a hand-off slice nests in its step's slice");
    }

    [Fact]
    public void Timestamps_FollowTheTraceOrder_OneMicrosecondPerEvent()
    {
        var (_, trace, _, _, _) = ProducerConsumer();
        var events = Parse(trace).Where(e => Ph(e) != "M").ToList();
        Assert.All(events, e => Assert.InRange(Ts(e), 0, trace.Count));
        // Instants, counters and flows are written as their events come: their times never go back.
        var inOrder = events.Where(e => Ph(e) is "i" or "C" or "s" or "f").Select(Ts).ToList();
        Assert.Equal(inOrder.OrderBy(t => t), inOrder);
        var blocks = trace.Events.Select((e, i) => (e, i)).Where(x => x.e.Reason == TraceReason.BlockReceive).Select(x => (long)x.i).ToList();
        Assert.Equal(blocks, events.Where(e => Ph(e) == "i" && Name(e).StartsWith("block receive", StringComparison.Ordinal)).Select(Ts));
    }

    [Fact]
    public void Counters_FollowTheRunQueueAndTheChannelsBalance()
    {
        var (_, trace, _, _, _) = ProducerConsumer();
        var counters = Parse(trace).Where(e => Ph(e) == "C").ToList();
        var queue = counters.Where(e => Name(e) == "run queue").Select(e => e.GetProperty("args").GetProperty("runnable").GetInt32()).ToList();
        // Two spawns queue two tasklets; the first runs and blocks; ...; at the end nothing is runnable.
        Assert.Equal([1, 2, 1], queue.Take(3));
        Assert.Equal(0, queue[^1]);
        Assert.All(queue, n => Assert.InRange(n, 0, 2));
        var balance = counters.Where(e => Name(e).StartsWith("balance numbers", StringComparison.Ordinal))
            .Select(e => e.GetProperty("args").GetProperty("balance").GetInt32()).ToList();
        Assert.Equal(-1, balance[0]); // the consumer waits first
        Assert.Equal(0, balance[^1]);
        Assert.All(balance.Zip(balance.Skip(1)), p => Assert.NotEqual(p.First, p.Second)); // written on change only
    }

    [Fact]
    public void KillsAndExceptions_AreInstantsNamingWhoAndWhat()
    {
        var s = new Scheduler { ErrorHandler = (_, _) => { } };
        var trace = s.Trace = new TraceRecorder();
        var ch = new Channel(s) { Name = "never" };
        var victim = s.Spawn(async () => { await ch.Receive(); }, "victim");
        s.Spawn(async () => { await s.Schedule(); throw new InvalidOperationException("boom"); }, "faulty");
        s.Run();
        victim.Kill();
        s.Run();
        var instants = Parse(trace).Where(e => Ph(e) == "i").ToList();
        Assert.All(instants, e => Assert.Equal("t", e.GetProperty("s").GetString()));
        var killed = Assert.Single(instants, e => Name(e).StartsWith("killed", StringComparison.Ordinal));
        Assert.Equal(victim.Id, Tid(killed));
        Assert.Equal("main", killed.GetProperty("args").GetProperty("by").GetString());
        var exception = Assert.Single(instants, e => Name(e) == "exception");
        Assert.Equal("InvalidOperationException: boom", exception.GetProperty("args").GetProperty("value").GetString());
        Assert.Contains(instants, e => Name(e) == "unblock on never #" + ch.Id || Name(e) == "unblock on never");
        Assert.Contains(instants, e => Name(e).StartsWith("block receive on never", StringComparison.Ordinal));
    }

    [Fact]
    public void ADroppedPrefix_IsSaidAndTheRestStillParses()
    {
        var s = new Scheduler();
        var trace = s.Trace = new TraceRecorder(50);
        var ch = new Channel<int>(s);
        s.Spawn(async () => { for (var i = 0; i < 100; i++) await ch.Send(i); });
        s.Spawn(async () => { for (var i = 0; i < 100; i++) await ch.Receive(); });
        s.Run();
        Assert.True(trace.Dropped > 0);
        using var stream = new MemoryStream();
        Assert.Equal(50, trace.WriteChromeTrace(stream));
        var root = JsonDocument.Parse(stream.ToArray()).RootElement;
        Assert.Equal(trace.Dropped, root.GetProperty("otherData").GetProperty("droppedBefore").GetInt64());
        var queue = root.GetProperty("traceEvents").EnumerateArray().Where(e => Ph(e) == "C" && Name(e) == "run queue")
            .Select(e => e.GetProperty("args").GetProperty("runnable").GetInt32());
        Assert.All(queue, n => Assert.InRange(n, 0, 2));
    }

    [Fact]
    public void ALongTrace_IsWrittenInBlocks_AsItIsWalked()
    {
        var s = new Scheduler();
        var trace = s.Trace = new TraceRecorder(400_000);
        var ch = new Channel<int>(s);
        const int Rounds = 100_000;
        s.Spawn(async () => { for (var i = 0; i < Rounds; i++) await ch.Send(i); });
        s.Spawn(async () => { for (var i = 0; i < Rounds; i++) await ch.Receive(); });
        s.Run();
        var stream = new WriteLog();
        trace.WriteChromeTrace(stream);
        Assert.True(stream.Length > 20_000_000, $"{stream.Length} bytes for {trace.Count} events");
        Assert.True(stream.Writes > 100, $"{stream.Writes} writes");
        Assert.True(stream.LargestWrite < 1 << 18, $"the largest write was {stream.LargestWrite} bytes: the JSON was held, not streamed");
    }

    /// <summary>A stream that keeps nothing but counts what is written to it.</summary>
    private sealed class WriteLog : Stream
    {
        private long _length;
        public int Writes { get; private set; }
        public int LargestWrite { get; private set; }
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            LargestWrite = Math.Max(LargestWrite, buffer.Length);
            _length += buffer.Length;
        }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
