// The talk's request/response example (tests/reference/e_request_response.py) from the packages: a server tasklet
// answers requests that carry their own reply channel. Writes OUT/consumer.html (Report) and OUT/consumer.json
// (the Chrome trace), and prints what the packages are.
using StacklessInteractive;
using StacklessInteractive.Views;

var folder = args.Length > 0 ? args[0] : ".";
Directory.CreateDirectory(folder);
var s = new Scheduler { Trace = new TraceRecorder(), TrackChannels = true };
var requests = new Channel<(int Number, Channel<int> Reply)>(s, name: "requests");

async TaskletBody Server()
{
    while (true)
    {
        var (number, reply) = await requests.Receive();
        await reply.Send(number * number);
    }
}

async TaskletBody Client(int number)
{
    var reply = new Channel<int>(s, name: "reply " + number);
    await requests.Send((number, reply));
    Console.WriteLine($"{number} squared is {await reply.Receive()}");
}

s.Spawn(Server, name: "server");
for (var i = 1; i <= 3; i++) s.Spawn(Client, i, name: "client " + i);
s.Run();

Console.WriteLine(s.GetDeadlockReport()); // the server waits for a request that will never come
Report.Write(s, Path.Combine(folder, "consumer.html"), "Request and response, from the packages");
s.Trace.WriteChromeTrace(Path.Combine(folder, "consumer.json"));
foreach (var assembly in new[] { typeof(Scheduler).Assembly, typeof(Report).Assembly })
    Console.WriteLine($"{assembly.GetName().Name} {assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false).OfType<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion}");
Console.WriteLine($"wrote {Path.GetFullPath(Path.Combine(folder, "consumer.html"))} and consumer.json");
