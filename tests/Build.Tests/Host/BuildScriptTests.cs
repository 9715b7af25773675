using System.Diagnostics;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Host;

/// <summary>
/// build.sh, the command users and the workflows run: it compiles the host only when the host's
/// sources changed. CI restores the built host from its cache into a fresh checkout, where every
/// file has a new time, so "changed" must mean the contents, not the times.
/// </summary>
[TestFixture]
[Category(TestTiers.Builds)]
public sealed class BuildScriptTests
{
    private const string Rebuilding = "build.sh: building the build host";
    private string _scratch = null!;

    [OneTimeSetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("build-script-").FullName;

    [OneTimeTearDown]
    public void RemoveScratch() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void A_restored_host_starts_without_a_rebuild_and_a_changed_source_rebuilds_it()
    {
        var first = Checkout("first");
        var built = BuildScript(first, "--help");
        Assert.That(built.Error, Does.Contain(Rebuilding), "the first run compiles the host");
        Assert.That(built.Output, Does.Contain("--target"), "and then runs it");

        Assert.That(BuildScript(first, "--help").Error, Does.Not.Contain(Rebuilding), "nothing changed");

        // What a CI job sees: a new checkout (new file times) with .build/host from the cache.
        var restored = Checkout("restored");
        TestFiles.CopyDirectory(Path.Combine(first, ".build", "host"), Path.Combine(restored, ".build", "host"));
        var started = BuildScript(restored, "--help");
        Assert.That(started.Error, Does.Not.Contain(Rebuilding), "same sources, new times: the cached host runs as it is");
        Assert.That(started.Output, Does.Contain("--target"));

        File.AppendAllText(Path.Combine(restored, "build", "Program.cs"), "\n// a changed source\n");
        Assert.That(BuildScript(restored, "--help").Error, Does.Contain(Rebuilding), "a changed file rebuilds");
        Assert.That(BuildScript(restored, "--help").Error, Does.Not.Contain(Rebuilding), "once");

        File.WriteAllText(Path.Combine(restored, "build", "Added.cs"), "// a new source\n");
        Assert.That(BuildScript(restored, "--help").Error, Does.Contain(Rebuilding), "a new file rebuilds");
        File.Delete(Path.Combine(restored, "build", "Added.cs"));
        Assert.That(BuildScript(restored, "--help").Error, Does.Contain(Rebuilding), "a deleted file rebuilds");
    }

    /// <summary>What the host is built from, copied with today's times; its bin/ and obj/ left behind, as git does.</summary>
    private string Checkout(string name)
    {
        var root = Path.Combine(_scratch, name);
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(RepositoryRoot.Path, "build.sh"), Path.Combine(root, "build.sh"));
        File.Copy(Path.Combine(RepositoryRoot.Path, "global.json"), Path.Combine(root, "global.json"));
        TestFiles.CopyDirectory(Path.Combine(RepositoryRoot.Path, "build"), Path.Combine(root, "build"), "bin", "obj");
        return root;
    }

    private static (string Output, string Error) BuildScript(string root, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "build.sh"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(3)), "build.sh finished");
        Assert.That(process.ExitCode, Is.Zero, () => error.Result);
        return (output.Result, error.Result);
    }
}
