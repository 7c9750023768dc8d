using System.Globalization;
using System.Numerics;

namespace StacklessInteractive.Kernel;

/// <summary>
/// The options of one magic-command line, parsed by us rather than by the host: the host's own binding reports
/// "Invalid JSON ... Nullable`1[Int64]" for <c>--steps abc</c>, takes <c>--steps</c> without a value as no option at
/// all, and does not know <c>--help</c>. Every option is described once in <see cref="Help"/> (its name, what it
/// takes); this parses a line against that description and says, in one sentence, what is wrong with it.
/// </summary>
/// <remarks>
/// Rules: options are <c>--name value</c> or a bare <c>--flag</c>; a value may be double-quoted to hold spaces; each
/// option at most once; no positional arguments (<c>#!step 5</c> is an error that shows how to write 5 steps);
/// an unknown option names the nearest known one; <c>--help</c> is understood by every command.
/// </remarks>
internal sealed class DirectiveOptions
{
    /// <summary>The option every command understands.</summary>
    public const string HelpOption = "--help";

    private readonly Dictionary<string, object> _values;

    private DirectiveOptions(Help.Command command, Dictionary<string, object> values)
    {
        Command = command;
        _values = values;
    }

    /// <summary>The command these options belong to.</summary>
    public Help.Command Command { get; }

    /// <summary>True when the line asked for the command's help.</summary>
    public bool WantsHelp => _values.ContainsKey(HelpOption);

    /// <summary>Whether the flag <paramref name="name"/> was given.</summary>
    public bool Flag(string name) => Declared(name, OptionKind.Flag) && _values.ContainsKey(name);

    /// <summary>The text given for <paramref name="name"/>, or null when the option is absent.</summary>
    public string? Text(string name) => Declared(name, OptionKind.Text) ? _values.GetValueOrDefault(name) as string : null;

    /// <summary>The whole number given for <paramref name="name"/>, or null when the option is absent.</summary>
    public long? Number(string name) => Declared(name, OptionKind.Count) && _values.TryGetValue(name, out var v) ? (long)v : null;

    /// <summary>The seconds given for <paramref name="name"/>, or null when the option is absent.</summary>
    public double? Seconds(string name) => Declared(name, OptionKind.Seconds) && _values.TryGetValue(name, out var v) ? (double)v : null;

    // A handler asking for an option its command does not declare, or as the wrong kind, is our bug, not the user's.
    private bool Declared(string name, OptionKind kind)
    {
        var option = Command.Options.SingleOrDefault(o => o.Key == name)
            ?? throw new InvalidOperationException($"{Command.Name} declares no option {name}.");
        return option.Kind == kind ? true : throw new InvalidOperationException($"{Command.Name} {name} is a {option.Kind} option, not {kind}.");
    }

    /// <summary>
    /// Parses <paramref name="line"/> (the directive's line, <c>#!name</c> first or not) against
    /// <paramref name="command"/>'s options. On a mistake returns false with a message that says what the option
    /// takes and what it got.
    /// </summary>
    public static bool TryParse(Help.Command command, string line, out DirectiveOptions options, out string error)
    {
        options = new DirectiveOptions(command, new Dictionary<string, object>(StringComparer.Ordinal));
        error = "";
        var tokens = Tokenize(line);
        if (tokens.Count > 0 && tokens[0].Text == command.Name) tokens.RemoveAt(0);
        for (var i = 0; i < tokens.Count; i++)
        {
            var (text, quoted) = tokens[i];
            if (quoted || !text.StartsWith('-'))
            {
                error = StrayArgument(command, text);
                return false;
            }
            if (text == HelpOption || text is "-h" or "-?" or "/?")
            {
                options._values[HelpOption] = true;
                continue;
            }
            var option = command.Options.FirstOrDefault(o => o.Key == text);
            if (option is null)
            {
                error = UnknownOption(command, text);
                return false;
            }
            if (options._values.ContainsKey(option.Key))
            {
                error = $"{command.Name} {option.Key} is given twice; give it once.";
                return false;
            }
            if (option.Kind == OptionKind.Flag)
            {
                options._values[option.Key] = true;
                continue;
            }
            if (i + 1 == tokens.Count || tokens[i + 1] is { Quoted: false, Text: var next } && IsOptionName(next))
            {
                error = $"{command.Name} {option.Key} takes {option.Takes}; got nothing. Write it as {option.Name}.";
                return false;
            }
            var raw = tokens[++i].Text;
            if (!TryValue(option, raw, out var value, out var why))
            {
                error = $"{command.Name} {option.Key} takes {option.Takes}; got '{raw}'{why}.";
                return false;
            }
            options._values[option.Key] = value;
        }
        return true;
    }

    private static bool TryValue(Help.Option option, string raw, out object value, out string why)
    {
        why = "";
        value = raw;
        switch (option.Kind)
        {
            case OptionKind.Text:
                if (raw.Length > 0) return true;
                why = " (an empty name)";
                return false;
            case OptionKind.Count:
                if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                {
                    value = n;
                    if (n >= option.Min) return true;
                    why = n < 0 ? " (a negative number)" : $" (less than {option.Min})";
                    return false;
                }
                why = BigInteger.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big)
                        ? big.Sign > 0 ? $" (too large: at most {long.MaxValue:N0})" : " (a negative number)"
                    : double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                        ? d == Math.Floor(d) && Math.Abs(d) < 1e18 ? $" (write it as a plain whole number: {d:0})" : " (not a whole number)"
                    : " (not a number)";
                return false;
            case OptionKind.Seconds:
                if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s))
                {
                    value = s;
                    if (s >= 0) return true;
                    why = " (a negative number)";
                    return false;
                }
                why = " (not a number)";
                return false;
            default:
                throw new InvalidOperationException($"{option.Key}: a flag has no value.");
        }
    }

    private static string StrayArgument(Help.Command command, string text)
    {
        var hint = command == Help.Step && long.TryParse(text, out var n) ? $" For {n} steps write #!run --steps {n}."
            : command.Options.Count > 0 ? $" Its options: {string.Join(", ", command.Options.Select(o => o.Name))}."
            : "";
        return $"{command.Name} takes no argument '{text}'.{hint} {command.Name} --help says more.";
    }

    private static string UnknownOption(Help.Command command, string text)
    {
        var known = command.Options.Select(o => o.Key).Append(HelpOption).ToList();
        var nearest = known.Select(k => (Key: k, Distance: Distance(text, k))).OrderBy(p => p.Distance).First();
        var suggestion = nearest.Distance <= Math.Max(2, nearest.Key.Length / 3) ? $" Did you mean {nearest.Key}?" : "";
        var list = command.Options.Count == 0 ? $"{command.Name} takes no options." : $"Its options: {string.Join(", ", command.Options.Select(o => o.Name))}.";
        return $"{command.Name} has no option {text}.{suggestion} {list}";
    }

    private static bool IsOptionName(string token) => token.StartsWith("--", StringComparison.Ordinal) || token is "-h" or "-?";

    /// <summary>Splits on white space; a double-quoted token keeps its spaces (without the quotes).</summary>
    internal static List<(string Text, bool Quoted)> Tokenize(string line)
    {
        var tokens = new List<(string, bool)>();
        var i = 0;
        line = line.Trim();
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i])) { i++; continue; }
            if (line[i] == '"')
            {
                var end = line.IndexOf('"', i + 1);
                if (end < 0) end = line.Length;
                tokens.Add((line[(i + 1)..end], true));
                i = end + 1;
                continue;
            }
            var start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
            tokens.Add((line[start..i], false));
        }
        return tokens;
    }

    /// <summary>Edit distance (insertions, deletions, substitutions), to suggest the option meant.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
