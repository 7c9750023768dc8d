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
}
