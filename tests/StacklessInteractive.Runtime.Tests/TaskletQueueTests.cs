namespace StacklessInteractive.Tests;

/// <summary>
/// The queue behind the run queue and every channel's waiters. It keeps no tail while it holds one tasklet or none
/// (so that joining an empty queue writes one reference), which every operation must keep straight: random
/// sequences of operations are checked against a list after each one.
/// </summary>
public class TaskletQueueTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomOperations_KeepTheOrderOfAList(int seed)
    {
        var random = new Random(seed);
        var s = new Scheduler();
        var pool = Enumerable.Range(0, 6).Select(_ => new Tasklet(s)).ToList();
        var queue = new TaskletQueue();
        var model = new List<Tasklet>();
        var counts = new int[4];

        for (var step = 0; step < 4_000; step++)
        {
            var outside = pool.Where(t => !model.Contains(t)).ToList();
            var op = random.Next(4);
            switch (op)
            {
                case 0 when outside.Count > 0:
                    var appended = outside[random.Next(outside.Count)];
                    queue.Append(appended);
                    model.Add(appended);
                    break;
                case 1 when outside.Count > 0:
                    var pushed = outside[random.Next(outside.Count)];
                    queue.PushFront(pushed);
                    model.Insert(0, pushed);
                    break;
                case 2:
                    var popped = queue.PopFront();
                    Assert.Equal(model.FirstOrDefault(), popped);
                    if (model.Count > 0) model.RemoveAt(0);
                    break;
                case 3 when model.Count > 0:
                    var removed = model[random.Next(model.Count)];
                    queue.Remove(removed);
                    model.Remove(removed);
                    break;
                default:
                    continue;
            }
            counts[op]++;

            Assert.Equal(model, queue.ToList());
            Assert.Equal(model.Count, queue.Count);
            Assert.Equal(model.FirstOrDefault(), queue.First);
            Assert.All(pool.Where(t => !model.Contains(t)), t => Assert.Null(t.Next));
        }

        Assert.All(counts, c => Assert.True(c > 300, $"every operation ran often (counts: {string.Join(", ", counts)})"));
    }

    [Fact]
    public void Append_AfterTheQueueEmptied_StartsAFreshQueue()
    {
        var s = new Scheduler();
        var (a, b, c, d) = (new Tasklet(s), new Tasklet(s), new Tasklet(s), new Tasklet(s));
        var queue = new TaskletQueue();
        queue.Append(a);
        queue.Append(b);
        queue.Remove(b);       // back to one tasklet
        Assert.Equal(a, queue.PopFront());
        queue.Append(c);       // a queue emptied this way must not remember a as its tail
        queue.Append(d);
        Assert.Equal(new[] { c, d }, queue.ToList());
        Assert.Null(a.Next);
        Assert.Null(b.Next);
    }
}
