using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.DotNet.Interactive.Commands;

namespace StacklessInteractive.Kernel;

/// <summary>
/// A main cell may call a channel operation without <c>await</c> (<c>ch.Send(7);</c>: main blocks or hands over at
/// once, as in Stackless); the C# compiler then warns CS4014 "this call is not awaited", which Jupyter prints in red.
/// A pragma in one submission does not reach the next, so each such cell gets its own: only a cell with a statement
/// that calls one of our operations without awaiting it, so that a forgotten <c>await</c> on a Task elsewhere still warns.
/// </summary>
internal static class MainCellWarnings
{
    /// <summary>The methods whose result is a Stackless operation, fine to call from main without awaiting.</summary>
    private static readonly HashSet<string> s_operations = ["Send", "Receive", "SendException", "SendThrow", "Schedule", "ScheduleRemove", "BlockOn", "Switch"];

    private const string Pragma = "#pragma warning disable CS4014 // a Stackless operation called from main: it completes in the call\n#line 1\n";

    /// <summary>
    /// The command to run instead of <paramref name="command"/> (its child, so that its outputs stay the cell's), or
    /// null to run it as it is: the pragma in front of the code when it calls an operation without awaiting it;
    /// <c>#line 1</c> keeps the cell's line numbers.
    /// </summary>
    public static SubmitCode? Rewrite(SubmitCode command)
    {
        var code = command.Code;
        if (code.StartsWith(Pragma, StringComparison.Ordinal) || code.Contains("#r ", StringComparison.Ordinal) || code.Contains("#load", StringComparison.Ordinal)
            || !CallsAnOperationUnawaited(code)) return null;
        var quiet = new SubmitCode(Pragma + code, command.TargetKernelName);
        quiet.SetParent(command, true);
        return quiet;
    }

    private static bool CallsAnOperationUnawaited(string code)
    {
        if (!s_operations.Any(name => code.Contains(name + "(", StringComparison.Ordinal))) return false; // most cells: no parse
        var root = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview, kind: SourceCodeKind.Script)).GetRoot();
        return root.DescendantNodes().OfType<ExpressionStatementSyntax>().Any(s => s.Expression is InvocationExpressionSyntax invocation
            && invocation.Expression switch
            {
                MemberAccessExpressionSyntax member => s_operations.Contains(member.Name.Identifier.ValueText),
                IdentifierNameSyntax name => s_operations.Contains(name.Identifier.ValueText),
                _ => false,
            });
    }
}
