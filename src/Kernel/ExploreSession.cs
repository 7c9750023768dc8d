namespace StacklessInteractive.Kernel;

/// <summary>
/// The program of the last <c>#!explore</c> cell, which <c>#!replay</c> rebuilds. Code compiled from an
/// <c>#!explore</c> cell calls <see cref="Define"/> through <see cref="Current"/>.
/// </summary>
public sealed class ExploreSession
{
    private static readonly ExploreSession s_current = new();
    private Func<Scheduler, Func<bool>?>? _defined;

    private ExploreSession() { }

    /// <summary>The notebook's explore session.</summary>
    public static ExploreSession Current => s_current;

    /// <summary>The last program explored, or null.</summary>
    public Func<Scheduler, Func<bool>?>? Program { get; private set; }

    /// <summary>Called by the code of an <c>#!explore</c> cell: the factory its body became.</summary>
    public void Define(Func<Scheduler, Func<bool>?> program) => _defined = program ?? throw new ArgumentNullException(nameof(program));

    /// <summary>The program the last compiled cell defined, once; it becomes <see cref="Program"/>.</summary>
    internal Func<Scheduler, Func<bool>?>? TakeDefined()
    {
        var defined = Interlocked.Exchange(ref _defined, null);
        if (defined is not null) Program = defined;
        return defined;
    }
}
