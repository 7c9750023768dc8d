#!/usr/bin/env dotnet
// The talk's prime sieve (the README's first example) traced, as a file-based app:
//   dotnet run samples/sieve-trace.cs [-- LIMIT [OUT.json [OUT.html]]]     (default: 1000 sieve.json sieve.html)
// writes the tick trace in the Chrome trace-event format (open it in https://ui.perfetto.dev or chrome://tracing:
// a track per tasklet, a slice per step, an arrow per hand-off) and a report page of the run.
#:project ../src/Views/StacklessInteractive.Views.csproj
using System.Globalization;
using StacklessInteractive;
using StacklessInteractive.Views;

var limit = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var json = args.Length > 1 ? args[1] : "sieve.json";
var html = args.Length > 2 ? args[2] : "sieve.html";
var s = new Scheduler { Trace = new TraceRecorder(1_000_000), TrackChannels = true };

async TaskletBody Counter(Channel<int> output)       // sends 2, 3, 4, ...
{
    for (var i = 2; ; i++) await output.Send(i);
}

async TaskletBody Filter(int prime, Channel<int> input, Channel<int> output)
{
    while (true)
    {
        var i = await input.Receive();
        if (i % prime != 0) await output.Send(i);       // drop multiples of prime
    }
}

var ch = new Channel<int>(s, name: "numbers");
s.Spawn(Counter, ch, name: "counter");
var primes = 0;
while (true)
{
    var prime = ch.Receive().Value;    // main blocks: the other tasklets run until a prime arrives
    primes++;
    if (prime >= limit) break;
    var next = new Channel<int>(s, name: "after " + prime);
    s.Spawn(Filter, prime, ch, next, name: "filter " + prime);
    ch = next;
}

var events = s.Trace.WriteChromeTrace(json);
var bytes = new FileInfo(json).Length;
Console.WriteLine($"{primes} primes up to {limit}, {s.Steps:N0} steps, {events:N0} trace events");
Console.WriteLine($"wrote {Path.GetFullPath(json)}: {bytes:N0} bytes, {(double)bytes / events:F0} bytes per trace event");
Report.Write(s, html, $"The prime sieve up to {limit}", new TimelineOptions { MaxLanes = 40 });
Console.WriteLine($"wrote {Path.GetFullPath(html)}");
