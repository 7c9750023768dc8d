using System.Reflection;
using System.Runtime.Loader;

namespace StacklessInteractive.Kernel;

/// <summary>
/// Plotly.NET 6.0.0 asks for FSharp.Core 10.1.0.0; the notebook hosts ship 10.0.0.0, so every chart would throw
/// FileNotFoundException in a real host (in-process tests never see it: the test app carries 10.1). Handing the
/// FSharp.Core that is already loaded to the resolver makes Plotly.NET run on the host's copy.
/// </summary>
internal static class FSharpCoreResolver
{
    private static int s_installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += (_, name) => Resolve(name);
        AppDomain.CurrentDomain.AssemblyResolve += (_, args) => Resolve(new AssemblyName(args.Name));
    }

    private static Assembly? Resolve(AssemblyName name)
    {
        if (name.Name != "FSharp.Core") return null;
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core");
        if (loaded is not null) return loaded;
        var beside = Path.Combine(AppContext.BaseDirectory, "FSharp.Core.dll"); // the host's own copy
        return File.Exists(beside) ? AssemblyLoadContext.Default.LoadFromAssemblyPath(beside) : null;
    }
}
