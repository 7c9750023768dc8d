using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StacklessInteractive.Kernel;

/// <summary>
/// Where a tasklet of a <c>#!tasklet</c> cell is blocked: the line of its cell, for the deadlock panel's "blocked
/// at". Script submissions carry no debugging information (a stack trace has no line numbers, and costs 100 µs), and
/// the hot path must not pay; but a blocked tasklet is suspended at one await of its body, and its compiler-made state
/// machine numbers its awaits in the order they are written (state 0 the first await, 1 the next ...). So a cell's
/// awaits are listed when it is compiled, and the suspended state machine's state picks the line when a report asks:
/// nothing is recorded while the program runs.
/// </summary>
internal static class BlockSites
{
    private const BindingFlags Fields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly ConditionalWeakTable<Tasklet, int[]> s_awaitLines = new();
    private static readonly FieldInfo? s_body = typeof(Tasklet).GetField("Body", Fields);

    /// <summary>Remembers the lines of <paramref name="tasklet"/>'s awaits, from its cell's <paramref name="body"/>.</summary>
    public static void Note(Tasklet tasklet, string body) => s_awaitLines.AddOrUpdate(tasklet, AwaitLines(body));

    /// <summary>The line of its cell where <paramref name="tasklet"/> is suspended, or null when that is not known.</summary>
    public static int? LineOf(Tasklet tasklet)
    {
        if (!s_awaitLines.TryGetValue(tasklet, out var lines)) return null;
        try
        {
            // The body's box (BodyBox<TStateMachine>) holds the one copy of the state machine; "<>1__state" is Roslyn's name.
            var box = s_body?.GetValue(tasklet);
            var machine = box?.GetType().GetField("StateMachine", Fields)?.GetValue(box);
            var state = machine?.GetType().GetField("<>1__state", Fields)?.GetValue(machine);
            return state is int s && s >= 0 && s < lines.Length ? lines[s] : null;
        }
        catch (Exception)
        {
            return null; // what it cannot see it does not report
        }
    }

    /// <summary>
    /// The cell line of each await of <paramref name="body"/>, in the order the compiler numbers them: awaits inside
    /// lambdas and local functions belong to other state machines and are skipped; an <c>await foreach</c> awaits at
    /// its start and, disposing, after its body. The <c>#!tasklet</c> line is line 1, the body's first line 2.
    /// </summary>
    internal static int[] AwaitLines(string body)
    {
        var root = CSharpSyntaxTree.ParseText(body, new CSharpParseOptions(LanguageVersion.Preview, kind: SourceCodeKind.Script)).GetRoot();
        var lines = new List<int>();
        int Line(SyntaxNode node) => node.GetLocation().GetLineSpan().StartLinePosition.Line + 2;
        void Visit(SyntaxNode node)
        {
            switch (node)
            {
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax:
                    return;
                case ForEachStatementSyntax { AwaitKeyword.RawKind: not 0 } loop:
                    lines.Add(Line(loop));
                    foreach (var child in node.ChildNodes()) Visit(child);
                    lines.Add(Line(loop));
                    return;
            }
            foreach (var child in node.ChildNodes()) Visit(child);
            if (node is AwaitExpressionSyntax) lines.Add(Line(node));
        }
        Visit(root);
        return lines.ToArray();
    }
}
