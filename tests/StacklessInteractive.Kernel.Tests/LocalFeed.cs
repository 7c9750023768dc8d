using System.Diagnostics;

namespace StacklessInteractive.Kernel.Tests;

/// <summary>
/// The packages, packed once per test run by scripts/pack.sh into artifacts/feed (the notebooks' feed): the tests
/// of the real hosts load the extension from there, and the package tests read what is inside.
/// </summary>
internal static class LocalFeed
{
    private static readonly Lazy<string> s_version = new(Pack);

    /// <summary>The version this run packed (packing on first use).</summary>
    public static string Version => s_version.Value;

    /// <summary>The feed's folder.</summary>
    public static string Folder => Repository.Path("artifacts", "feed");

    /// <summary>The path of package <paramref name="id"/> at <see cref="Version"/>.</summary>
    public static string Package(string id) => Path.Combine(Folder, $"{id}.{Version}.nupkg");

    private static string Pack()
    {
        Run("dotnet", "tool restore");
        var version = Run("bash", "scripts/pack.sh").Output.Trim().Split('\n')[^1];
        Assert.Matches(@"^0\.1\.0-local\.[0-9]+$", version);
        return version;
    }

    /// <summary>Runs a command to its end (at most <paramref name="minutes"/>); a failure fails the test unless allowed.</summary>
    public static (int ExitCode, string Output) Run(string file, string arguments, string? directory = null,
        bool allowFailure = false, int minutes = 10, (string Name, string Value)? environment = null)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory ?? Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment.Remove("STACKLESS_PLOTLY_JS");
        if (environment is var (name, value)) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(minutes)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {arguments} did not finish in {minutes} minutes");
        }
        if (!allowFailure && process.ExitCode != 0)
            Assert.Fail($"{file} {arguments} exited with {process.ExitCode}\n{stdout.Result}\n{stderr.Result}");
        return (process.ExitCode, stdout.Result);
    }
}
