using System.Reflection;
using System.Text.RegularExpressions;

namespace StacklessInteractive.NotebookExport;

/// <summary>
/// Writes plotly.min.js (and its licence notice) next to the pages, so that charts render with no network.
/// </summary>
/// <remarks>
/// Taken from Plotly.NET.dll's embedded resources rather than from npm (plotly.js-dist-min), because:
/// Plotly.NET is already a NuGet dependency of the extension, so this needs no second registry, no Node.js and
/// nothing that a NuGet restore has not already brought (it works offline from the NuGet cache); and it is the
/// exact plotly.js build that the Plotly.NET version making our charts targets (6.0.0 embeds 2.28.0), so the two
/// cannot drift apart. (Plotly.NET 6.0.0's copy is byte for byte npm's plotly.js-dist-min@2.28.0 plotly.min.js:
/// same SHA-256, checked when this was written.) The resource is found by its name pattern, not a fixed name, and the version it carries
/// is reported.
/// </remarks>
static partial class PlotlyJs
{
    [GeneratedRegex(@"plotly-(?<version>\d+\.\d+\.\d+)\.min\.js$")]
    private static partial Regex ResourceName();

    /// <returns>The plotly.js version written.</returns>
    public static string CopyTo(string folder)
    {
        var assembly = Assembly.Load(new AssemblyName("Plotly.NET"));
        var names = assembly.GetManifestResourceNames();
        var name = names.SingleOrDefault(n => ResourceName().IsMatch(n))
                   ?? throw new InvalidOperationException(
                       $"no plotly-X.Y.Z.min.js among Plotly.NET's resources: {string.Join(", ", names)}");
        Directory.CreateDirectory(folder);
        Write(assembly, name, Path.Combine(folder, "plotly.min.js"));
        // The minified file's header points at this notice ("see plotly.min.js.LICENSE.txt").
        if (names.Contains(name + ".LICENSE.txt"))
            Write(assembly, name + ".LICENSE.txt", Path.Combine(folder, "plotly.min.js.LICENSE.txt"));
        return ResourceName().Match(name).Groups["version"].Value;
    }

    static void Write(Assembly assembly, string resource, string path)
    {
        using var from = assembly.GetManifestResourceStream(resource)!;
        using var to = File.Create(path);
        from.CopyTo(to);
    }
}
