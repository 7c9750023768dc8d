using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace StacklessInteractive.Kernel.Tests;

/// <summary>
/// What <c>dotnet pack</c> (scripts/pack.sh) gives: three packages a user can take, each with its README, description,
/// tags, licence, repository commit, XML docs and sources in its PDB; the runtime and the views free of any notebook
/// host; the kernel depending on them at its own version, its extension where the hosts look for it.
/// </summary>
public class PackageTests
{
    private sealed record Package(string Id, XElement Metadata, IReadOnlyList<string> Files, IReadOnlyList<(string Id, string Version)> Dependencies, ZipArchive Zip);

    private static Package Open(string id)
    {
        var zip = ZipFile.OpenRead(LocalFeed.Package(id));
        var nuspec = XDocument.Load(zip.GetEntry(id + ".nuspec")!.Open());
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (e.Attribute("id")!.Value, e.Attribute("version")!.Value)).ToList();
        return new Package(id, metadata, zip.Entries.Select(e => e.FullName).ToList(), dependencies, zip);
    }

    private static string? Meta(Package p, string name) => p.Metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    [Theory]
    [InlineData("StacklessInteractive.Runtime")]
    [InlineData("StacklessInteractive.Views")]
    [InlineData("StacklessInteractive.Kernel")]
    public void EachPackage_HasItsReadme_Description_Tags_Licence_AndRepositoryCommit(string id)
    {
        var p = Open(id);
        using var zip = p.Zip;
        Assert.Equal(id, Meta(p, "id"));
        Assert.Equal(LocalFeed.Version, Meta(p, "version"));
        Assert.True(Meta(p, "description")!.Length > 60, "a description that says what it is");
        Assert.Contains("stackless", Meta(p, "tags")!.Split(' '));
        Assert.Equal("MIT", Meta(p, "license"));
        Assert.Equal("README.md", Meta(p, "readme"));
        Assert.Contains("README.md", p.Files);
        using (var readme = new StreamReader(p.Zip.GetEntry("README.md")!.Open()))
            Assert.StartsWith("# " + id, readme.ReadToEnd());
        var repository = p.Metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")!.Value);
    }

    [Theory]
    [InlineData("StacklessInteractive.Runtime", "lib/net10.0")]
    [InlineData("StacklessInteractive.Views", "lib/net10.0")]
    [InlineData("StacklessInteractive.Kernel", "lib/net10.0")]
    public void EachDll_HasItsXmlDocs_AndAnEmbeddedPdbCarryingItsSources(string id, string folder)
    {
        var p = Open(id);
        using var zip = p.Zip;
        Assert.Contains($"{folder}/{id}.xml", p.Files);
        var docs = XDocument.Load(zip.GetEntry($"{folder}/{id}.xml")!.Open());
        Assert.True(docs.Descendants("member").Count() > 20, "the public API is documented");

        using var dll = new MemoryStream();
        zip.GetEntry($"{folder}/{id}.dll")!.Open().CopyTo(dll);
        dll.Position = 0;
        using var pe = new PEReader(dll);
        var embedded = pe.ReadDebugDirectory().Single(d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
        using var pdb = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded);
        var reader = pdb.GetMetadataReader();
        // Every source file is in the PDB (EmbedAllSources), so a debugger shows it from the package alone.
        var embeddedSource = new Guid("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
        var withSource = reader.CustomDebugInformation.Select(reader.GetCustomDebugInformation)
            .Where(c => reader.GetGuid(c.Kind) == embeddedSource).Select(c => c.Parent).ToHashSet();
        var sources = reader.Documents.Where(d => reader.GetString(reader.GetDocument(d).Name).EndsWith(".cs", StringComparison.Ordinal)).ToList();
        Assert.True(sources.Count > 3, $"{sources.Count} source files in the PDB");
        Assert.All(sources, d => Assert.Contains((EntityHandle)d, withSource));
    }

    [Fact]
    public void TheRuntime_DependsOnNothing()
    {
        var p = Open("StacklessInteractive.Runtime");
        using var zip = p.Zip;
        Assert.Empty(p.Dependencies);
        Assert.Equal(["lib/net10.0/StacklessInteractive.Runtime.dll", "lib/net10.0/StacklessInteractive.Runtime.xml"],
            p.Files.Where(f => f.StartsWith("lib/", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void TheViews_DependOnTheRuntimeAndPlotly_NotOnANotebookHost()
    {
        var p = Open("StacklessInteractive.Views");
        using var zip = p.Zip;
        Assert.Equal([("Plotly.NET", "6.0.0"), ("Plotly.NET.CSharp", "0.14.0"), ("StacklessInteractive.Runtime", LocalFeed.Version)],
            p.Dependencies.Order());
        Assert.DoesNotContain(p.Dependencies, d => d.Id.StartsWith("Microsoft.DotNet.Interactive", StringComparison.Ordinal));
    }

    [Fact]
    public void TheKernel_DependsOnTheOtherTwoAtItsVersion_AndCarriesTheExtensionWhereHostsLook()
    {
        var p = Open("StacklessInteractive.Kernel");
        using var zip = p.Zip;
        Assert.Contains(("StacklessInteractive.Runtime", LocalFeed.Version), p.Dependencies);
        Assert.Contains(("StacklessInteractive.Views", LocalFeed.Version), p.Dependencies);
        // The host provides .NET Interactive: it is compiled against, never a dependency.
        Assert.DoesNotContain(p.Dependencies, d => d.Id.StartsWith("Microsoft.DotNet.Interactive", StringComparison.Ordinal));
        Assert.Contains("interactive-extensions/dotnet/StacklessInteractive.Kernel.dll", p.Files);
        // The runtime and the views come from their packages, not a second copy in this one.
        Assert.DoesNotContain(p.Files, f => f.EndsWith("StacklessInteractive.Runtime.dll", StringComparison.Ordinal)
                                            || f.EndsWith("StacklessInteractive.Views.dll", StringComparison.Ordinal));
    }
}
