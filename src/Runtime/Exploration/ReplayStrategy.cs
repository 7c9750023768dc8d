namespace StacklessInteractive;

/// <summary>
/// Makes the choices of a list, in order (<see cref="Schedule.Choices"/>); past its end, Stackless's own order (0).
/// Strict by default: a choice that does not fit (the program is not the one the schedule came from) raises.
/// </summary>
public sealed class ReplayStrategy : ScheduleStrategy
{
    private readonly int[] _choices;
    private readonly bool _lenient;
    private int _next;

    /// <summary>Replays <paramref name="choices"/>; with <paramref name="lenient"/> a choice too large takes the last move instead of raising.</summary>
    public ReplayStrategy(IReadOnlyList<int> choices, bool lenient = false)
    {
        _choices = choices.ToArray();
        _lenient = lenient;
    }

    /// <summary>How many choices of the list have been made.</summary>
    public int Used => _next;

    /// <inheritdoc/>
    public override int ChooseNext(ReadOnlySpan<Tasklet> runnable) => Take(runnable.Length);

    /// <inheritdoc/>
    public override int ChooseCase(Tasklet tasklet, int ready) => Take(ready);

    private int Take(int count)
    {
        if (_next >= _choices.Length) return 0;
        var choice = _choices[_next++];
        if (choice < count) return choice;
        if (_lenient) return count - 1;
        throw new ScheduleMismatchException(
            $"The schedule's choice #{_next} is {choice}, but only {count} moves are possible there: it was made for another program.");
    }
}
