using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StacklessInteractive.Kernel;

/// <summary>
/// Rewrites the C# of a <c>#!tasklet</c> cell so that a body that never switches can be stopped: every loop's body
/// (back-edge) and every block-bodied local function, lambda and anonymous method (entry) starts with a tick check
/// (<see cref="Ticks"/>), passed the cell line it stands for. In an <c>async</c> function the check is
/// <c>await Ticks.Check(line)</c>, which can preempt the tasklet (it yields to the scheduler, which ends the run
/// with the tasklet paused); where an await is not allowed (a synchronous function, a <c>lock</c>, an
/// <c>unsafe</c> block) it is <c>Ticks.CheckSync(line)</c>, which can only raise (on an interrupt or an exhausted
/// time budget). Checks are inserted without line breaks, so the cell's lines (and <c>#line</c>) stay where they
/// were.
/// </summary>
internal sealed class TickRewriter : CSharpSyntaxRewriter
{
    private const string Ticks = "global::StacklessInteractive.Kernel.Ticks";
    private readonly bool _syncOnly;

    private TickRewriter(bool syncOnly) => _syncOnly = syncOnly;

    /// <summary>
    /// <paramref name="code"/> (a script submission) with tick checks; with <paramref name="syncOnly"/> every check
    /// is the synchronous one (the fallback for code where an inserted await does not compile, e.g. a
    /// <c>Span</c> live across a loop's iterations).
    /// </summary>
    public static string Rewrite(string code, bool syncOnly = false)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview, kind: SourceCodeKind.Script));
        return new TickRewriter(syncOnly).Visit(tree.GetRoot()).ToFullString();
    }

    // Each loop: the check computed on the original node (its line, whether it may await), put into the visited one.
    public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node) =>
        WithBody((WhileStatementSyntax)base.VisitWhileStatement(node)!, LoopCheck(node), static l => l.Statement, static (l, b) => l.WithStatement(b));

    public override SyntaxNode? VisitDoStatement(DoStatementSyntax node) =>
        WithBody((DoStatementSyntax)base.VisitDoStatement(node)!, LoopCheck(node), static l => l.Statement, static (l, b) => l.WithStatement(b));

    public override SyntaxNode? VisitForStatement(ForStatementSyntax node) =>
        WithBody((ForStatementSyntax)base.VisitForStatement(node)!, LoopCheck(node), static l => l.Statement, static (l, b) => l.WithStatement(b));

    public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node) =>
        WithBody((ForEachStatementSyntax)base.VisitForEachStatement(node)!, LoopCheck(node), static l => l.Statement, static (l, b) => l.WithStatement(b));

    public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node) =>
        WithBody((ForEachVariableStatementSyntax)base.VisitForEachVariableStatement(node)!, LoopCheck(node), static l => l.Statement, static (l, b) => l.WithStatement(b));

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        var visited = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
        return visited.Body is null ? visited : visited.WithBody(Prepend(visited.Body, EntryCheck(node)));
    }

    public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node)
    {
        var visited = (ParenthesizedLambdaExpressionSyntax)base.VisitParenthesizedLambdaExpression(node)!;
        return visited.Block is null || IsOutermost(node) ? visited : visited.WithBlock(Prepend(visited.Block, EntryCheck(node)));
    }

    public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node)
    {
        var visited = (SimpleLambdaExpressionSyntax)base.VisitSimpleLambdaExpression(node)!;
        return visited.Block is null ? visited : visited.WithBlock(Prepend(visited.Block, EntryCheck(node)));
    }

    public override SyntaxNode? VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node)
    {
        var visited = (AnonymousMethodExpressionSyntax)base.VisitAnonymousMethodExpression(node)!;
        return visited.Block is null ? visited : visited.WithBlock(Prepend(visited.Block, EntryCheck(node)));
    }

    /// <summary>The tasklet's own lambda: its entry is the tasklet's start, a switch already.</summary>
    private static bool IsOutermost(SyntaxNode function) => !function.Ancestors().Any(IsFunction);

    /// <summary>The check at a loop's back-edge (the start of its body), for the loop of the original tree.</summary>
    private StatementSyntax LoopCheck(SyntaxNode loop) => Check(loop, CanAwait(loop));

    /// <summary>The check at a function's entry: awaited when the function is async.</summary>
    private StatementSyntax EntryCheck(SyntaxNode function) => Check(function, IsAsync(function));

    /// <summary>
    /// <paramref name="loop"/> with <paramref name="check"/> first in its body, on the line and at the column where the
    /// body's first statement starts: what ends the line before the body (the header's line break) moves after the
    /// check, so no statement moves. A body that is not a block becomes one.
    /// </summary>
    private static T WithBody<T>(T loop, StatementSyntax check, Func<T, StatementSyntax> bodyOf, Func<T, StatementSyntax, T> with) where T : SyntaxNode
    {
        if (bodyOf(loop) is BlockSyntax block) return with(loop, Prepend(block, check));
        var before = bodyOf(loop).GetFirstToken().GetPreviousToken();
        loop = loop.ReplaceToken(before, before.WithTrailingTrivia());
        var body = bodyOf(loop); // the same body, in the new tree
        var wrapped = SyntaxFactory.Block(
            SyntaxFactory.Token(SyntaxKind.OpenBraceToken),
            SyntaxFactory.List([check.WithTrailingTrivia(before.TrailingTrivia.AddRange(body.GetLeadingTrivia())), body.WithoutTrivia()]),
            SyntaxFactory.Token(SyntaxKind.CloseBraceToken).WithTrailingTrivia(body.GetTrailingTrivia()));
        return with(loop, wrapped);
    }

    /// <summary>A block with <paramref name="check"/> first, right after its brace, before the brace's line break.</summary>
    private static BlockSyntax Prepend(BlockSyntax block, StatementSyntax check) => block
        .WithOpenBraceToken(block.OpenBraceToken.WithTrailingTrivia())
        .WithStatements(block.Statements.Insert(0, check.WithTrailingTrivia(block.OpenBraceToken.TrailingTrivia)));

    /// <summary>The check for code at <paramref name="at"/>: awaited where an await is allowed, else synchronous.</summary>
    private StatementSyntax Check(SyntaxNode at, bool canAwait)
    {
        var line = at.GetLocation().GetMappedLineSpan().StartLinePosition.Line + 1;
        return SyntaxFactory.ParseStatement(canAwait && !_syncOnly ? $"await {Ticks}.Check({line});" : $"{Ticks}.CheckSync({line});");
    }

    /// <summary>
    /// True when a statement inside <paramref name="node"/> may await: the innermost function around it is async,
    /// and no lock or unsafe block lies between.
    /// </summary>
    private static bool CanAwait(SyntaxNode node)
    {
        foreach (var ancestor in node.AncestorsAndSelf().Skip(1))
        {
            if (ancestor is LockStatementSyntax or UnsafeStatementSyntax) return false;
            if (IsFunction(ancestor)) return IsAsync(ancestor);
        }
        return false;
    }

    private static bool IsFunction(SyntaxNode node) => node is LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax;

    private static bool IsAsync(SyntaxNode function) => function switch
    {
        LocalFunctionStatementSyntax f => f.Modifiers.Any(SyntaxKind.AsyncKeyword),
        AnonymousFunctionExpressionSyntax f => f.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword),
        _ => false,
    };
}
