// The talk's prime sieve (Newsqueak's, in Stackless's words): a counter tasklet, one filter tasklet per prime,
// unbuffered channels between them, and main receiving the primes. The README shows this program.
using StacklessInteractive;

var limit = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 9973;
var s = new Scheduler();               // or Scheduler.Default, which the Stackless facade uses

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

var ch = new Channel<int>(s);
s.Spawn(Counter, ch);                  // queued, not run: tasklet(counter)(c)
while (true)
{
    var prime = ch.Receive().Value;    // main blocks: the other tasklets run until a prime arrives
    Console.Write(prime + " ");
    if (prime >= limit) break;
    var next = new Channel<int>(s);
    s.Spawn(Filter, prime, ch, next);
    ch = next;
}
Console.WriteLine();
