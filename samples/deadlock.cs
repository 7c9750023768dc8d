#!/usr/bin/env dotnet
// The talk's deadlock (tests/reference/d_deadlock.py) as a file-based app that writes a report page:
//   dotnet run samples/deadlock.cs [-- OUT.html]          (default: deadlock.html in the current folder)
// Two tasklets each receive first, then send to the other: both block receiving, run() returns, and nothing can
// run again. The page (open it in any browser, offline) shows both blocked with balance -1 and the wait-for cycle.
#:project ../src/Views/StacklessInteractive.Views.csproj
using StacklessInteractive;
using StacklessInteractive.Views;

var output = args.Length > 0 ? args[0] : "deadlock.html";
var s = new Scheduler { Trace = new TraceRecorder(), TrackChannels = true };

async TaskletBody Task(Channel<string> x, Channel<string> y, string message)
{
    Console.WriteLine(await x.Receive());
    await y.Send(message);
}

var ch1 = new Channel<string>(s, name: "ch1");
var ch2 = new Channel<string>(s, name: "ch2");
s.Spawn(Task, ch1, ch2, "t1 message", name: "t1");
s.Spawn(Task, ch2, ch1, "t2 message", name: "t2");
s.Run();                               // returns: nothing is runnable, though two tasklets are alive
Console.WriteLine($"ch1.balance: {ch1.Balance}  ch2.balance: {ch2.Balance}");
Console.WriteLine(s.GetDeadlockReport());

Report.Write(s, output, "The talk's deadlock");
Console.WriteLine($"wrote {Path.GetFullPath(output)}");
