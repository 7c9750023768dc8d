using System.Text.RegularExpressions;

namespace StacklessInteractive.Tests;

/// <summary>
/// What real Stackless Python 3.7.5 printed for the talk's examples (tests/reference, copied from the
/// project's shared reference outputs), and helpers to print our results the way Python prints them.
/// </summary>
internal static partial class Reference
{
    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "StacklessInteractive.sln"))) return dir.FullName;
        throw new InvalidOperationException("StacklessInteractive.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The lines of <c>tests/reference/NAME.out</c>, object addresses masked.</summary>
    public static string[] Lines(string name) =>
        Normalize(File.ReadAllText(Path.Combine(RepoRoot, "tests", "reference", name + ".out")));

    public static string[] Normalize(string text) =>
        Address().Replace(text.Replace("\r\n", "\n"), "0x?").TrimEnd('\n').Split('\n');

    /// <summary>Asserts line by line, naming the first line that differs.</summary>
    public static void AssertMatches(string name, string actual)
    {
        var expected = Lines(name);
        var got = Normalize(actual);
        for (var i = 0; i < Math.Min(expected.Length, got.Length); i++)
            Assert.True(expected[i] == got[i], $"{name}.out line {i + 1}:\nexpected: {expected[i]}\nactual:   {got[i]}");
        Assert.True(expected.Length == got.Length, $"{name}.out has {expected.Length} lines, we printed {got.Length}:\n{actual}");
    }

    /// <summary>Python's spelling of a bool.</summary>
    public static string Py(bool b) => b ? "True" : "False";

    /// <summary>Python's name for the exception Stackless raises where we raise <paramref name="e"/>.</summary>
    public static string PyType(Exception e) => e switch
    {
        ChannelClosedException => "ValueError",
        InvalidOperationException => "RuntimeError",
        TaskletExit => "TaskletExit",
        _ => e.GetType().Name,
    };

    /// <summary>A channel's <c>__reduce__()</c> as Python prints it.</summary>
    public static string PyReduce(ChannelBase channel)
    {
        var r = channel.Reduce();
        var queue = string.Join(", ", r.Queue.Select(t => $"<_stackless.tasklet object at 0x{t.Id:x}>"));
        return $"(<class '_stackless.channel'>, (), ({r.Balance}, {r.Flags}, [{queue}]))";
    }

    [GeneratedRegex("0x[0-9a-f]+")]
    private static partial Regex Address();
}
