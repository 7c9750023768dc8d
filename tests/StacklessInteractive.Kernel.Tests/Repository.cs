namespace StacklessInteractive.Kernel.Tests;

/// <summary>Where the repository is (the folder holding StacklessInteractive.sln, above the test binaries), and paths in it.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    /// <summary>A path inside the repository, from its parts.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "StacklessInteractive.sln"))) return dir.FullName;
        throw new InvalidOperationException("StacklessInteractive.sln not found above " + AppContext.BaseDirectory);
    }
}
