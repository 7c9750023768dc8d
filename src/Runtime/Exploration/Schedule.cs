using System.Globalization;

namespace StacklessInteractive;

/// <summary>
/// One schedule, as data: either the list of choices made at the choice points of a run (<c>2.0.1.1</c>: at the first
/// point with more than one legal move the third was taken, and so on; past the end, and for every 0, Stackless's own
/// order), or the seed of a random walk (<c>seed=42</c>) or of a PCT run (<c>pct:seed=42,depth=3,steps=40</c>).
/// <see cref="ToString"/> and <see cref="Parse"/> are inverse; <c>fifo</c> is the empty list, Stackless's schedule.
/// </summary>
public sealed class Schedule : IEquatable<Schedule>
{
    private readonly int[] _choices;

    private Schedule(int[] choices, string kind, ulong seed, int depth, long steps)
    {
        _choices = choices;
        Kind = kind;
        Seed = seed;
        Depth = depth;
        Steps = steps;
    }

    /// <summary>Stackless's schedule: no choice differs from its order.</summary>
    public static Schedule Fifo { get; } = new([], "choices", 0, 0, 0);

    /// <summary>The schedule that makes <paramref name="choices"/>; trailing zeros are dropped (they are the default).</summary>
    public static Schedule FromChoices(IEnumerable<int> choices)
    {
        var list = choices as List<int> ?? choices.ToList(); // an exploration's runs pass their list: no copy but the last
        var n = list.Count;
        while (n > 0 && list[n - 1] == 0) n--;
        if (n == 0) return Fifo;
        var kept = new int[n];
        for (var i = 0; i < n; i++)
            kept[i] = list[i] >= 0 ? list[i] : throw new ArgumentException("A choice is a move's index, 0 or more.", nameof(choices));
        return new Schedule(kept, "choices", 0, 0, 0);
    }

    /// <summary>A random walk from <paramref name="seed"/> (<see cref="RandomStrategy"/>).</summary>
    public static Schedule Random(ulong seed) => new([], "random", seed, 0, 0);

    /// <summary>A PCT run (<see cref="PctStrategy"/>).</summary>
    public static Schedule Pct(ulong seed, int depth, long steps) => new([], "pct", seed, depth, steps);

    /// <summary>"choices", "random" or "pct".</summary>
    public string Kind { get; }

    /// <summary>The choices of a "choices" schedule (empty otherwise).</summary>
    public IReadOnlyList<int> Choices => _choices;

    /// <summary>The seed of a "random" or "pct" schedule.</summary>
    public ulong Seed { get; }

    /// <summary>The depth of a "pct" schedule.</summary>
    public int Depth { get; }

    /// <summary>The steps a "pct" schedule spreads its change points over.</summary>
    public long Steps { get; }

    /// <summary>How many choices differ from Stackless's order: the schedule's preemptions, what shrinking reduces first.</summary>
    public int Deviations => _choices.Count(c => c != 0);

    /// <summary>A new strategy that runs this schedule (strict: a choice that does not fit raises <see cref="ScheduleMismatchException"/>).</summary>
    public ScheduleStrategy CreateStrategy() => Kind switch
    {
        "random" => new RandomStrategy(Seed),
        "pct" => new PctStrategy(Seed, Depth, Steps),
        _ => new ReplayStrategy(_choices),
    };

    /// <summary>The printed form (see the type's summary).</summary>
    public override string ToString() => Kind switch
    {
        "random" => "seed=" + Seed.ToString(CultureInfo.InvariantCulture),
        "pct" => string.Create(CultureInfo.InvariantCulture, $"pct:seed={Seed},depth={Depth},steps={Steps}"),
        _ => _choices.Length == 0 ? "fifo" : string.Join('.', _choices),
    };

    /// <summary>Reads a schedule printed by <see cref="ToString"/>.</summary>
    /// <exception cref="FormatException">The text is not a schedule; the message says what one looks like.</exception>
    public static Schedule Parse(string text)
        => TryParse(text, out var schedule, out var error) ? schedule : throw new FormatException(error);

    /// <summary>Reads a schedule; false with a reason when the text is not one.</summary>
    public static bool TryParse(string? text, out Schedule schedule, out string error)
    {
        schedule = Fifo;
        error = "";
        var s = (text ?? "").Trim();
        const string Forms = "a schedule is 'fifo', a list of choices such as 2.0.1.1, 'seed=42', or 'pct:seed=42,depth=3,steps=40'";
        if (s.Length == 0) { error = "The schedule is empty: " + Forms + "."; return false; }
        if (s == "fifo") return true;
        if (s.StartsWith("seed=", StringComparison.Ordinal))
        {
            if (!ulong.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
            { error = $"'{s}': the seed is a whole number, 0 or more."; return false; }
            schedule = Random(seed);
            return true;
        }
        if (s.StartsWith("pct:", StringComparison.Ordinal))
        {
            var fields = s[4..].Split(',').Select(f => f.Split('=', 2)).ToList();
            string? Field(string name) => fields.FirstOrDefault(f => f.Length == 2 && f[0] == name)?[1];
            if (fields.Count != 3 || !ulong.TryParse(Field("seed"), NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
                || !int.TryParse(Field("depth"), NumberStyles.None, CultureInfo.InvariantCulture, out var depth) || depth < 1
                || !long.TryParse(Field("steps"), NumberStyles.None, CultureInfo.InvariantCulture, out var steps) || steps < 1)
            { error = $"'{s}': a PCT schedule reads pct:seed=S,depth=D,steps=K (D and K 1 or more)."; return false; }
            schedule = Pct(seed, depth, steps);
            return true;
        }
        var parts = s.Split('.');
        var choices = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out choices[i]))
            { error = $"'{s}': choice #{i + 1} ('{parts[i]}') is not a number; " + Forms + "."; return false; }
        }
        schedule = FromChoices(choices);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(Schedule? other) => other is not null && Kind == other.Kind && Seed == other.Seed
        && Depth == other.Depth && Steps == other.Steps && _choices.AsSpan().SequenceEqual(other._choices);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Schedule);

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
