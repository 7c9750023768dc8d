namespace StacklessInteractive.Bench;

/// <summary>
/// An experiment, not an API: the sieve's counter and filters written by hand as resumable objects, as in
/// <see cref="HandWritten"/>, but run by the real <see cref="Scheduler"/> through the real channels, with every
/// check, counter and hook of the runtime. It prices what a second kind of tasklet body (no C# <c>async</c>) would
/// buy on this runtime: the hand-written floor plus the runtime's semantics, without the compiler's state machine.
/// The objects use the runtime's internals (a <see cref="BodyBox"/> that resumes itself, the tasklet's resume
/// point, its value in transit), which the runtime shows to this project for that purpose only.
/// </summary>
internal static class Machines
{
    /// <summary>The sieve's main (<see cref="Sieve.Run"/>) with these bodies; hops counted and checked there.</summary>
    public static Result RunSieve(int n, bool trace, Progress? progress)
        => Sieve.Run("sieve-machines", n, trace, progress,
            static (s, output) => Spawn(s, new CounterMachine(output)),
            static (s, prime, input, output) => Spawn(s, new FilterMachine(prime, input, output)));

    private static void Spawn(Scheduler s, Machine machine)
    {
        var t = new Tasklet(s) { Body = new MachineStarter(machine) };
        s.Spawn(t);
    }

    /// <summary>Starts a machine on its tasklet's first step: the machine is the body and its own resume point.</summary>
    private sealed class MachineStarter(Machine machine) : TaskletStarter
    {
        public override void Start(Tasklet tasklet)
        {
            tasklet.Body = machine;
            machine.Self = tasklet;
            machine.MoveNext();
        }
    }

    /// <summary>A body that is its own resume point. After an operation that switched away it registers itself
    /// (what the async builder does) and returns; on resume it reads the result from its tasklet (what the
    /// operation's GetResult does), so it keeps no awaiter.</summary>
    private abstract class Machine : BodyBox
    {
        public Tasklet Self = null!;

        protected void Suspend() => Self.SetResume(this);

        protected int Received()
        {
            Self.OnResumed();
            return Self.TakeValue<int>();
        }
    }

    /// <summary><c>for i in count(2): ch.send(i)</c>.</summary>
    private sealed class CounterMachine(Channel<int> output) : Machine
    {
        private int _i = 2;
        private bool _sending;

        public override void MoveNext()
        {
            if (_sending) Self.OnResumed();
            _sending = true;
            while (true)
            {
                Sieve.CountSend();
                if (!output.Send(_i++).IsCompleted) { Suspend(); return; }
            }
        }
    }

    /// <summary><c>while True: i = input.receive(); if i % prime: output.send(i)</c>.</summary>
    private sealed class FilterMachine(int prime, Channel<int> input, Channel<int> output) : Machine
    {
        private const int Receiving = 1, Sending = 2;
        private int _state;

        public override void MoveNext()
        {
            var value = 0;
            var have = false;
            if (_state == Receiving) { value = Received(); have = true; }
            else if (_state == Sending) Self.OnResumed();
            while (true)
            {
                if (!have)
                {
                    var receive = input.Receive();
                    if (!receive.IsCompleted) { _state = Receiving; Suspend(); return; }
                    value = receive.GetResult();
                }
                have = false;
                if (value % prime != 0)
                {
                    Sieve.CountSend();
                    if (!output.Send(value).IsCompleted) { _state = Sending; Suspend(); return; }
                }
            }
        }
    }
}
