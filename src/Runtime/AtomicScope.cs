namespace StacklessInteractive;

/// <summary>
/// What <see cref="Scheduler.Atomic"/> and <see cref="Stackless.Atomic"/> return: the tasklet current at the start
/// stays <see cref="Tasklet.Atomic"/> until it is disposed, then gets its old value back (Stackless's
/// <c>with stackless.atomic():</c>). A struct, so <c>using (Stackless.Atomic())</c> allocates nothing.
/// </summary>
public readonly struct AtomicScope : IDisposable
{
    private readonly Tasklet? _tasklet;
    private readonly bool _wasAtomic;

    internal AtomicScope(Tasklet tasklet)
    {
        _tasklet = tasklet;
        _wasAtomic = tasklet.SetAtomic(true);
    }

    /// <summary>Gives the tasklet back the atomic flag it had when the scope began.</summary>
    public void Dispose() => _tasklet?.SetAtomic(_wasAtomic);
}
