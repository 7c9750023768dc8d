using Microsoft.DotNet.Interactive;

namespace StacklessInteractive.Kernel;

/// <summary>
/// The entry point the notebook host finds in the package's <c>interactive-extensions/dotnet</c> folder: it adds
/// the <c>#!tasklet</c> kernel, the magic commands and the formatters to the notebook, and shows a short help.
/// Everything it shows comes from <see cref="StacklessInteractive.Views"/>, pure functions of the runtime's state.
/// </summary>
public sealed class StacklessKernelExtension : IKernelExtension
{
    /// <inheritdoc/>
    public async Task OnLoadAsync(Microsoft.DotNet.Interactive.Kernel kernel)
    {
        FSharpCoreResolver.Install();
        var root = kernel as CompositeKernel ?? kernel.RootKernel as CompositeKernel
            ?? throw new InvalidOperationException("The StacklessInteractive extension needs a composite (notebook) kernel.");
        var session = NotebookSession.Start(root, out var fresh);
        if (fresh) Setup.Register(root, session); // loading it again (re-running the cell that loads it) keeps what is there

        if (KernelInvocationContext.Current is { } context)
            context.DisplayAs(Help.LoadedHtml(), "text/html");
        await Task.CompletedTask;
    }
}
