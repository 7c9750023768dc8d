namespace StacklessInteractive.Kernel;

/// <summary>What an option takes.</summary>
internal enum OptionKind
{
    /// <summary>Nothing: present or not.</summary>
    Flag,

    /// <summary>A non-empty text (a name, a pattern).</summary>
    Text,

    /// <summary>A whole number, at least the option's minimum.</summary>
    Count,

    /// <summary>A number of seconds, 0 or more, fractions allowed.</summary>
    Seconds,
}
