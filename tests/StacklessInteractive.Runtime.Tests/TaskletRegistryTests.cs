namespace StacklessInteractive.Tests;

/// <summary>The scheduler's registry of alive tasklets: chunked slots, a tasklet knowing its slot, swap-remove.</summary>
public class TaskletRegistryTests
{
    [Fact]
    public void AddAndRemove_AcrossChunks_KeepExactlyTheAliveTasklets()
    {
        var random = new Random(7);
        var s = new Scheduler();
        var registry = new TaskletRegistry();
        var alive = new HashSet<Tasklet>();
        var size = TaskletRegistry.ChunkSize * 2 + 100; // grows into a third chunk, shrinks back, grows again

        for (var round = 0; round < 3; round++)
        {
            while (alive.Count < size)
            {
                var t = new Tasklet(s);
                registry.Add(t);
                alive.Add(t);
            }
            Check();
            foreach (var t in alive.OrderBy(_ => random.Next()).Take(size - 50).ToList())
            {
                registry.Remove(t);
                alive.Remove(t);
            }
            Check();
        }

        void Check()
        {
            var listed = registry.ToList();
            Assert.Equal(alive.Count, registry.Count);
            Assert.Equal(alive.Count, listed.Count);
            Assert.True(alive.SetEquals(listed));
            for (var i = 0; i < listed.Count; i++) Assert.Equal(i, listed[i].RegistryIndex);
        }
    }

    [Fact]
    public void Removing_GivesBackEmptyChunks_ButOneSpare()
    {
        var s = new Scheduler();
        var registry = new TaskletRegistry();
        var tasklets = Enumerable.Range(0, TaskletRegistry.ChunkSize * 5).Select(_ => new Tasklet(s)).ToList();
        foreach (var t in tasklets) registry.Add(t);
        Assert.Equal(5, registry.ChunksHeld);

        foreach (var t in tasklets) registry.Remove(t);
        Assert.Equal(0, registry.Count);
        Assert.Equal(1, registry.ChunksHeld); // the first, empty, kept as the spare

        // A count going up and down across a chunk boundary keeps the chunk past it instead of making it again.
        foreach (var t in tasklets.Take(TaskletRegistry.ChunkSize)) registry.Add(t);
        var extra = tasklets[TaskletRegistry.ChunkSize];
        for (var round = 0; round < 3; round++)
        {
            registry.Add(extra);
            Assert.Equal(2, registry.ChunksHeld);
            registry.Remove(extra);
            Assert.Equal(2, registry.ChunksHeld);
        }
        Assert.Equal(TaskletRegistry.ChunkSize, registry.Count);
    }
}
