using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StacklessInteractive.Kernel;

/// <summary>
/// Where each tasklet of a <c>#!tasklet</c> cell last awaited: the line of its cell, for the deadlock panel's
/// "blocked at". Script submissions carry no debugging information (a stack trace has no line numbers, and costs
/// 100 µs), so the body is rewritten before it is compiled: <c>await E</c> becomes
/// <c>await BlockSites.At(E, LINE)</c>, which notes the line for the running tasklet and returns <c>E</c> unchanged.
/// Only bodies from cells pay for it (a table write per await); the runtime and its hot path are untouched.
/// </summary>
public static class BlockSites
{
    private static readonly ConditionalWeakTable<Tasklet, StrongBox<int>> s_lines = new();

    /// <summary>Notes that the running tasklet awaits <paramref name="awaitable"/> at <paramref name="line"/> of its cell.</summary>
    public static T At<T>(T awaitable, int line)
    {
        var current = Scheduler.Default.Current;
        if (!current.IsMain) s_lines.GetOrCreateValue(current).Value = line;
        return awaitable;
    }

    /// <summary>The line of its cell where <paramref name="tasklet"/> last awaited, or null when it comes from no #!tasklet cell.</summary>
    public static int? LineOf(Tasklet tasklet) => s_lines.TryGetValue(tasklet, out var box) ? box.Value : null;

    /// <summary>
    /// <paramref name="body"/> with each await wrapped in <see cref="At{T}"/>, noting the line of the cell (the
    /// <c>#!tasklet</c> line is line 1, the body's first line 2: what the notebook's editor numbers). The text keeps
    /// its lines, so compiler errors point where they did.
    /// </summary>
    internal static string Rewrite(string body)
    {
        var tree = CSharpSyntaxTree.ParseText(body, new CSharpParseOptions(LanguageVersion.Preview, kind: SourceCodeKind.Script));
        if (tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)) return body; // let the compiler report it, on the text as written
        return new Wrapper().Visit(tree.GetRoot()).ToFullString();
    }

    private sealed class Wrapper : CSharpSyntaxRewriter
    {
        public override SyntaxNode? VisitAwaitExpression(AwaitExpressionSyntax node)
        {
            var inner = (ExpressionSyntax)Visit(node.Expression)!;
            var line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 2;
            var call = SyntaxFactory.ParseExpression($"global::StacklessInteractive.Kernel.BlockSites.At({inner.WithoutTrivia().ToFullString()}, {line})");
            return node.WithExpression(call.WithTriviaFrom(inner));
        }
    }
}
