using System.Globalization;
using System.Text.Json;

namespace StacklessInteractive;

/// <summary>
/// Turns the trace's events, one at a time and oldest first, into the Chrome trace-event JSON format
/// (<see href="https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU">the format</see>
/// that Perfetto UI and chrome://tracing read). See <see cref="TraceRecorder.WriteChromeTrace(Stream)"/>.
/// </summary>
/// <remarks>
/// <para>What it writes: one process (the scheduler) with a thread per tasklet (tid = tasklet id, named once with a
/// metadata event); per step an <c>X</c> slice on the runner's track; per hand-off a one-microsecond slice on the
/// sender's track and one on the receiver's, joined by a flow (<c>s</c> then <c>f</c> with the same id, each bound to
/// its enclosing slice: Chrome's DevTools binds a flow event to the event with the same cat, pid, tid and ts, and
/// Perfetto to the slice open on its track, which is the one written just before it at the same time); an <c>i</c> instant for the other events (spawn, block, unblock, kill, throw, exception,
/// interruption, I/O, channel close and open); a <c>C</c> counter "run queue" whenever the number of runnable
/// tasklets changes, and one per channel for its balance.</para>
/// <para>Invariants: events arrive in trace order and each gets the next timestamp; at most one step is open
/// (<c>_runner</c> nonzero) and it began at <c>_stepStart</c>; state and names are kept per handle, so memory is one
/// small entry per tasklet and channel the ring names, whatever the number of events.</para>
/// <para>The run queue's length is rebuilt from the events with the rules of the views' timeline (a spawn, a yield,
/// a hand-off to a blocked tasklet, the end of its wait on I/O make a tasklet runnable; its step makes it run). When
/// the ring dropped older events, a tasklet counts once its first kept event shows that it is runnable.</para>
/// </remarks>
internal sealed class ChromeTraceWriter : IDisposable
{
    private const int Pid = 1;
    private const int FlushAt = 1 << 16;

    private enum Seen : byte { Unknown, Runnable, Running, Blocked, Out }

    // The names of the frequent events on a channel, kept so that a long trace does not make a string per event.
    private enum ChannelName { Send, Receive, Balance, BlockSend, BlockReceive, Count }

    private readonly Utf8JsonWriter _json;
    private readonly object?[] _objects;  // handle -> Tasklet or ChannelBase (the recorder's table)
    private readonly string?[] _labels;   // handle -> its label, made once
    private readonly string?[,] _names;   // channel handle, ChannelName -> an event's name on it, made once
    private readonly Seen[] _seen;        // tasklet handle -> its state as the events tell it
    private readonly int[] _balance;      // channel handle -> the balance last written (int.MinValue: none yet)
    private readonly long _dropped;
    private long _ts;
    private long _flows;
    private int _runnable;
    private int _runnableWritten = -1;
    private int _runner;                  // handle of the tasklet whose step is open, 0 when none
    private long _stepStart;
    private long _step;
    private TraceReason? _lastByRunner;

    public ChromeTraceWriter(Stream stream, object?[] objects, int handles, long dropped)
    {
        _objects = objects;
        _labels = new string?[handles];
        _seen = new Seen[handles];
        _names = new string?[handles, (int)ChannelName.Count];
        _balance = new int[handles];
        Array.Fill(_balance, int.MinValue);
        _dropped = dropped;
        _json = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
        _json.WriteStartObject();
        _json.WriteStartArray("traceEvents");
        Metadata("process_name", 0, "name", "StacklessInteractive scheduler");
    }

    /// <summary>Events written so far (JSON objects, not trace events).</summary>
    public long Written { get; private set; }

    public void Add(long step, TraceReason reason, int tasklet, int partner, int channel, int balance,
        object? valueRef, long valueBits, TraceValueKind valueKind)
    {
        var ts = _ts++;
        Declare(tasklet);
        if (partner != 0) Declare(partner);
        switch (reason)
        {
            case TraceReason.Run:
                CloseStep(ts);
                _runner = tasklet;
                _stepStart = ts;
                _step = step;
                _lastByRunner = null;
                Become(tasklet, Seen.Running);
                break;
            case TraceReason.HandOff:
                HandOff(ts, step, tasklet, partner, channel, valueRef, valueBits, valueKind);
                if (_seen[tasklet] == Seen.Blocked) Become(tasklet, Seen.Runnable);
                if (partner != 0 && _seen[partner] == Seen.Blocked) Become(partner, Seen.Runnable);
                if (tasklet == _runner || partner == _runner) _lastByRunner = reason;
                break;
            case TraceReason.Schedule:
                Become(tasklet, Seen.Runnable);
                break;
            case TraceReason.Exit:
                Become(tasklet, Seen.Out);
                break;
            default:
                Instant(ts, step, reason, tasklet, partner, channel, balance, valueRef, valueBits, valueKind);
                Become(tasklet, reason switch
                {
                    TraceReason.Spawn or TraceReason.UnblockIO => Seen.Runnable,
                    TraceReason.BlockSend or TraceReason.BlockReceive => Seen.Blocked,
                    TraceReason.Kill or TraceReason.Throw => _seen[tasklet] == Seen.Out ? Seen.Out : Seen.Runnable,
                    TraceReason.Unblock => _seen[tasklet] == Seen.Blocked ? Seen.Out : _seen[tasklet],
                    TraceReason.ScheduleRemove or TraceReason.Exception or TraceReason.Interrupted or TraceReason.BlockIO => Seen.Out,
                    _ => _seen[tasklet], // IdleWait, ChannelClose, ChannelOpen
                });
                break;
        }
        if (tasklet == _runner && EndsStep(reason)) { _lastByRunner = reason; CloseStep(ts + 1); }
        if (channel != 0 && reason != TraceReason.Run) Balance(ts, channel, balance);
        if (_runnable != _runnableWritten) Counter(ts, "run queue", "runnable", _runnableWritten = _runnable);
        if (_json.BytesPending >= FlushAt) _json.Flush();
    }

    /// <summary>Closes the open step, if any, and the JSON.</summary>
    public void Finish()
    {
        CloseStep(_ts);
        _json.WriteEndArray();
        _json.WriteStartObject("otherData");
        _json.WriteString("source", "StacklessInteractive TraceRecorder");
        _json.WriteString("timeAxis", "one microsecond per trace event, in the order recorded; each step's number is in its slice's args");
        _json.WriteNumber("events", _ts);
        _json.WriteNumber("droppedBefore", _dropped);
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
    }

    public void Dispose() => _json.Dispose();

    private static bool EndsStep(TraceReason reason) => reason is TraceReason.Schedule or TraceReason.ScheduleRemove
        or TraceReason.BlockSend or TraceReason.BlockReceive or TraceReason.Exit or TraceReason.Exception
        or TraceReason.Interrupted or TraceReason.BlockIO;

    private void Become(int tasklet, Seen state)
    {
        var was = _seen[tasklet];
        if (was == state) return;
        if (was == Seen.Runnable) _runnable--;
        if (state == Seen.Runnable) _runnable++;
        _seen[tasklet] = state;
    }

    /// <summary>Writes the open step's slice, ending at <paramref name="end"/>; a runner that switched away without an event goes back to the run queue.</summary>
    private void CloseStep(long end)
    {
        if (_runner == 0) return;
        var runner = _runner;
        _runner = 0;
        var how = _lastByRunner switch
        {
            null => "switched away",
            TraceReason.HandOff => "hand-off",
            { } r => Label(r),
        };
        Begin("X", "step", how, _stepStart, runner);
        _json.WriteNumber("dur", Math.Max(1, end - _stepStart));
        _json.WriteStartObject("args");
        _json.WriteNumber("step", _step);
        _json.WriteString("ended", how);
        _json.WriteEndObject();
        _json.WriteEndObject();
        if (_seen[runner] == Seen.Running) Become(runner, Seen.Runnable);
    }

    private void HandOff(long ts, long step, int sender, int receiver, int channel,
        object? valueRef, long valueBits, TraceValueKind valueKind)
    {
        var id = ++_flows;
        HandOffSlice(ts, step, sender, NameOn(channel, ChannelName.Send), channel, valueRef, valueBits, valueKind);
        if (receiver == 0) return;
        HandOffSlice(ts, step, receiver, NameOn(channel, ChannelName.Receive), channel, valueRef, valueBits, valueKind);
        Begin("s", "handoff", "hand-off", ts, sender);
        _json.WriteNumber("id", id);
        _json.WriteEndObject();
        Begin("f", "handoff", "hand-off", ts, receiver);
        _json.WriteNumber("id", id);
        _json.WriteString("bp", "e");
        _json.WriteEndObject();
    }

    private void HandOffSlice(long ts, long step, int tasklet, string name, int channel,
        object? valueRef, long valueBits, TraceValueKind valueKind)
    {
        Begin("X", "handoff", name, ts, tasklet);
        _json.WriteNumber("dur", 1);
        _json.WriteStartObject("args");
        _json.WriteNumber("step", step);
        if (channel != 0) _json.WriteString("channel", LabelOf(channel));
        WriteValue(valueRef, valueBits, valueKind);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    private void Instant(long ts, long step, TraceReason reason, int tasklet, int partner, int channel, int balance,
        object? valueRef, long valueBits, TraceValueKind valueKind)
    {
        var name = reason switch
        {
            TraceReason.BlockSend when channel != 0 => NameOn(channel, ChannelName.BlockSend),
            TraceReason.BlockReceive when channel != 0 => NameOn(channel, ChannelName.BlockReceive),
            _ when channel != 0 => Label(reason) + " on " + LabelOf(channel),
            _ when partner != 0 => Label(reason) + " by " + LabelOf(partner),
            _ => Label(reason),
        };
        Begin("i", "event", name, ts, tasklet);
        _json.WriteString("s", "t");
        _json.WriteStartObject("args");
        _json.WriteNumber("step", step);
        _json.WriteString("reason", reason.ToString());
        if (partner != 0) _json.WriteString("by", LabelOf(partner));
        if (channel != 0)
        {
            _json.WriteString("channel", LabelOf(channel));
            _json.WriteNumber("balance", balance);
        }
        if (valueKind != TraceValueKind.Reference || valueRef is not null) WriteValue(valueRef, valueBits, valueKind);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    private void Balance(long ts, int channel, int balance)
    {
        if (_balance[channel] == balance) return;
        _balance[channel] = balance;
        Counter(ts, NameOn(channel, ChannelName.Balance), "balance", balance);
    }

    private void Counter(long ts, string name, string series, int value)
    {
        Begin("C", "counter", name, ts, 0);
        _json.WriteStartObject("args");
        _json.WriteNumber(series, value);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    /// <summary>Opens an event object with the fields every event has; the caller adds its own and closes it.</summary>
    private void Begin(string phase, string category, string name, long ts, int tasklet)
    {
        _json.WriteStartObject();
        _json.WriteString("ph", phase);
        _json.WriteString("cat", category);
        _json.WriteString("name", name);
        _json.WriteNumber("ts", ts);
        _json.WriteNumber("pid", Pid);
        _json.WriteNumber("tid", tasklet == 0 ? 0 : ((Tasklet)_objects[tasklet]!).Id);
        Written++;
    }

    private void Metadata(string name, int tid, string key, string value)
    {
        _json.WriteStartObject();
        _json.WriteString("ph", "M");
        _json.WriteString("name", name);
        _json.WriteNumber("pid", Pid);
        _json.WriteNumber("tid", tid);
        _json.WriteStartObject("args");
        _json.WriteString(key, value);
        _json.WriteEndObject();
        _json.WriteEndObject();
        Written++;
    }

    /// <summary>Names a tasklet's track the first time an event names it, and orders the tracks by id.</summary>
    private void Declare(int tasklet)
    {
        if (_labels[tasklet] is not null) return;
        var t = (Tasklet)_objects[tasklet]!;
        Metadata("thread_name", t.Id, "name", LabelOf(tasklet));
        _json.WriteStartObject();
        _json.WriteString("ph", "M");
        _json.WriteString("name", "thread_sort_index");
        _json.WriteNumber("pid", Pid);
        _json.WriteNumber("tid", t.Id);
        _json.WriteStartObject("args");
        _json.WriteNumber("sort_index", t.Id);
        _json.WriteEndObject();
        _json.WriteEndObject();
        Written++;
    }

    /// <summary>The name of a frequent event on <paramref name="channel"/> (none: 0), made the first time.</summary>
    private string NameOn(int channel, ChannelName what)
    {
        if (_names[channel, (int)what] is { } name) return name;
        var on = channel == 0 ? "" : " on " + LabelOf(channel);
        return _names[channel, (int)what] = what switch
        {
            ChannelName.Send => "send" + on,
            ChannelName.Receive => "receive" + on,
            ChannelName.Balance => "balance " + LabelOf(channel),
            ChannelName.BlockSend => Label(TraceReason.BlockSend) + on,
            _ => Label(TraceReason.BlockReceive) + on,
        };
    }

    /// <summary>A tasklet's or channel's name, with its id when the name does not already carry it.</summary>
    private string LabelOf(int handle) => _labels[handle] ??= _objects[handle] switch
    {
        Tasklet t => t.IsMain || t.Name == "tasklet#" + t.Id ? t.Name : $"{t.Name} #{t.Id}",
        ChannelBase c => c.Name == "channel#" + c.Id ? c.Name : $"{c.Name} #{c.Id}",
        var o => o?.ToString() ?? "?",
    };

    private static string Label(TraceReason reason) => reason switch
    {
        TraceReason.Spawn => "spawn",
        TraceReason.Schedule => "schedule",
        TraceReason.ScheduleRemove => "schedule remove",
        TraceReason.BlockSend => "block send",
        TraceReason.BlockReceive => "block receive",
        TraceReason.Unblock => "unblock",
        TraceReason.Exit => "exit",
        TraceReason.Kill => "killed",
        TraceReason.Throw => "thrown into",
        TraceReason.Exception => "exception",
        TraceReason.Interrupted => "interrupted",
        TraceReason.ChannelClose => "channel closed",
        TraceReason.ChannelOpen => "channel opened",
        TraceReason.BlockIO => "block on I/O",
        TraceReason.UnblockIO => "I/O done",
        TraceReason.IdleWait => "idle: waiting for I/O",
        _ => reason.ToString(),
    };

    /// <summary>The value as JSON: numbers and booleans as such, anything else as its text (an exception as "Type: message").</summary>
    private void WriteValue(object? valueRef, long bits, TraceValueKind kind)
    {
        switch (kind)
        {
            case TraceValueKind.Int32: _json.WriteNumber("value", (int)bits); return;
            case TraceValueKind.Int64: _json.WriteNumber("value", bits); return;
            case TraceValueKind.Double:
                var d = BitConverter.Int64BitsToDouble(bits);
                if (double.IsFinite(d)) _json.WriteNumber("value", d);
                else _json.WriteString("value", d.ToString(CultureInfo.InvariantCulture));
                return;
            case TraceValueKind.Boolean: _json.WriteBoolean("value", bits != 0); return;
            case TraceValueKind.Char: _json.WriteString("value", ((char)bits).ToString()); return;
        }
        if (valueRef is null) { _json.WriteNull("value"); return; }
        string text;
        try
        {
            text = valueRef is Exception e ? e.GetType().Name + (e.Message.Length == 0 ? "" : ": " + e.Message)
                : valueRef is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : valueRef.ToString() ?? "";
        }
        catch (Exception e)
        {
            text = "<ToString() threw " + e.GetType().Name + ">";
        }
        _json.WriteString("value", text.Length <= 200 ? text : text[..199] + "\u2026");
    }
}
