using System.Reflection;
using System.Text.RegularExpressions;

namespace StacklessInteractive.Views;

/// <summary>
/// plotly.js, for pages that must draw charts with no network: the report (<see cref="Report"/>) inlines it, and the
/// notebook exporter (tools/NotebookExport) copies it next to its pages.
/// </summary>
/// <remarks>
/// Taken from Plotly.NET.dll's embedded resources rather than from npm (plotly.js-dist-min), because:
/// Plotly.NET is already a NuGet dependency of the views, so this needs no second registry, no Node.js and
/// nothing that a NuGet restore has not already brought (it works offline from the NuGet cache); and it is the
/// exact plotly.js build that the Plotly.NET version making our charts targets (6.0.0 embeds 2.28.0), so the two
/// cannot drift apart. (Plotly.NET 6.0.0's copy is byte for byte npm's plotly.js-dist-min@2.28.0 plotly.min.js:
/// same SHA-256, checked when this was written.) The resource is found by its name pattern, not a fixed name, and
/// the version it carries is reported.
/// </remarks>
public static partial class PlotlyJs
{
    [GeneratedRegex(@"plotly-(?<version>\d+\.\d+\.\d+)\.min\.js$")]
    private static partial Regex ResourceName();

    /// <summary>The version of the plotly.js that <see cref="Read"/> gives.</summary>
    public static string Version => ResourceName().Match(Resource().Name).Groups["version"].Value;

    /// <summary>The minified plotly.js.</summary>
    public static string Read()
    {
        var (assembly, name) = Resource();
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }

    /// <summary>Writes <c>plotly.min.js</c> (and its licence notice) into <paramref name="folder"/>.</summary>
    /// <returns>The plotly.js version written.</returns>
    public static string CopyTo(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var (assembly, name) = Resource();
        Directory.CreateDirectory(folder);
        Write(assembly, name, Path.Combine(folder, "plotly.min.js"));
        // The minified file's header points at this notice ("see plotly.min.js.LICENSE.txt").
        if (assembly.GetManifestResourceNames().Contains(name + ".LICENSE.txt"))
            Write(assembly, name + ".LICENSE.txt", Path.Combine(folder, "plotly.min.js.LICENSE.txt"));
        return Version;
    }

    private static (Assembly Assembly, string Name) Resource()
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        var names = assembly.GetManifestResourceNames();
        var name = names.SingleOrDefault(n => ResourceName().IsMatch(n))
                   ?? throw new InvalidOperationException(
                       $"no plotly-X.Y.Z.min.js among Plotly.NET's resources: {string.Join(", ", names)}");
        return (assembly, name);
    }

    private static void Write(Assembly assembly, string resource, string path)
    {
        using var from = assembly.GetManifestResourceStream(resource)!;
        using var to = File.Create(path);
        from.CopyTo(to);
    }
}
