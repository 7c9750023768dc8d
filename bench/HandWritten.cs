namespace StacklessInteractive.Bench;

/// <summary>
/// An experiment, not the runtime: the sieve with its counter and filters written by hand as state machines (a
/// class per body, a <c>switch</c> on a state field, locals kept as fields) instead of C# <c>async</c> methods, on
/// a scheduler as stripped as <see cref="Floor"/>'s, with the same scheduling order as the runtime at preference
/// -1. It prices a switch between tasklets with nothing left to take away: no async builder, no awaiter copied
/// into the state machine, no check, no callback, no trace. What it measures is the floor of any representation
/// of a tasklet body on this machine, which the benchmark issue's 20 ns per hop is to be read against.
/// </summary>
internal static class HandWritten
{
    private static long s_sends;

    public static Result RunSieve(int n, bool trace, Progress? progress)
    {
        if (trace) Console.Error.WriteLine("note: the hand-written experiment has no trace.");
        s_sends = 0;
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var s = new HwScheduler();
        var ch = new HwChannel();
        var channels = new List<HwChannel> { ch };
        s.Append(new HwCounter(ch));
        int prime, count = 0;
        while (true)
        {
            prime = s.MainReceive(ch);
            count++;
            if (prime >= n) break;
            var next = new HwChannel();
            channels.Add(next);
            s.Append(new HwFilter(prime, ch, next));
            ch = next;
            if (progress is not null && count % 1000 == 0) { var c = count; progress.Report(() => $"{c:N0} primes"); }
        }
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        var hops = s_sends - channels.Sum(c => (long)Math.Max(c.Balance, 0)); // sends still blocked handed nothing
        return new Result("sieve-handwritten", n, trace: false)
        {
            Seconds = clock.Elapsed.TotalSeconds,
            Hops = hops,
            NsPerHop = clock.Elapsed.TotalNanoseconds / hops,
            AllocatedBytes = allocated,
        };
    }

    private abstract class HwTasklet
    {
        public HwTasklet? Next;
        public int Value;
        public abstract void Resume(HwScheduler s);
    }

    private sealed class HwMain : HwTasklet
    {
        public override void Resume(HwScheduler s) => throw new InvalidOperationException("main is resumed by returning to it");
    }

    // The channel's queue and the scheduler's run queue repeat each other on purpose: one shared queue type (with a
    // nullable pop for the run queue) measured 2-3 ns/hop slower, which is a lot for a floor of about 15.
    private sealed class HwChannel
    {
        public HwTasklet? Head, Tail;
        public int Balance; // > 0 senders wait, < 0 receivers wait

        public HwTasklet PopFront()
        {
            var t = Head!;
            var next = t.Next;
            if (next is null) { Head = null; Tail = null; }
            else { Head = next; t.Next = null; }
            return t;
        }

        public void Append(HwTasklet t)
        {
            if (Tail is null) Head = t; else Tail.Next = t;
            Tail = t;
        }
    }

    private sealed class HwScheduler
    {
        private readonly HwMain _main = new();
        private HwTasklet? _next, _head, _tail;

        public void Append(HwTasklet t)
        {
            if (_tail is null) _head = t; else _tail.Next = t;
            _tail = t;
        }

        /// <summary>A send by a tasklet: it always switches away (to the waiting receiver, or blocked).</summary>
        public void Send(HwChannel c, HwTasklet caller, int value)
        {
            s_sends++;
            if (c.Balance++ < 0)
            {
                var receiver = c.PopFront();
                receiver.Value = value;
                Append(caller);   // preference -1: the sender goes to the end of the run queue
                _next = receiver; // and the receiver runs now
                return;
            }
            caller.Value = value;
            c.Append(caller);
        }

        /// <summary>A receive: true with the value in <c>caller.Value</c> when a sender waited, else blocked.</summary>
        public bool Receive(HwChannel c, HwTasklet caller)
        {
            if (c.Balance-- > 0)
            {
                var sender = c.PopFront();
                caller.Value = sender.Value;
                Append(sender);
                return true;
            }
            c.Append(caller);
            return false;
        }

        public int MainReceive(HwChannel c)
        {
            if (!Receive(c, _main) && !Loop()) throw new InvalidOperationException("deadlock: main waits and nothing runs");
            return _main.Value;
        }

        private bool Loop()
        {
            while (true)
            {
                var t = _next;
                if (t is not null) _next = null;
                else
                {
                    t = _head;
                    if (t is null) return false;
                    var next = t.Next;
                    if (next is null) { _head = null; _tail = null; }
                    else { _head = next; t.Next = null; }
                }
                if (t == _main) return true;
                t.Resume(this);
            }
        }
    }

    /// <summary><c>for i in count(2): ch.send(i)</c>: every send switches, so one send per step.</summary>
    private sealed class HwCounter(HwChannel output) : HwTasklet
    {
        private int _i = 2;
        public override void Resume(HwScheduler s) => s.Send(output, this, _i++);
    }

    /// <summary><c>while True: i = input.receive(); if i % prime: output.send(i)</c>, resumable after either operation.</summary>
    private sealed class HwFilter(int prime, HwChannel input, HwChannel output) : HwTasklet
    {
        private const int Receiving = 1, Sending = 2;
        private int _state;

        public override void Resume(HwScheduler s)
        {
            // _state 0 (the first step) and Sending (the send completed) start a receive; Receiving has the value.
            var received = _state == Receiving;
            while (true)
            {
                if (!received && !s.Receive(input, this)) { _state = Receiving; return; }
                received = false;
                if (Value % prime != 0)
                {
                    s.Send(output, this, Value);
                    _state = Sending;
                    return;
                }
            }
        }
    }
}
