using System.Diagnostics;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Host;

/// <summary>
/// build.sh, the command users and the workflows run: it compiles the host only when the host's
/// sources changed. CI restores the built host from its cache into a fresh checkout, where every
/// file has a new time, so "changed" must mean the contents, not the times. When it rebuilds is
/// build.sh's own logic, tested in the fast tier with a stand-in `dotnet` that records each build
/// (a real ReadyToRun build takes most of a minute); that it really compiles and runs the host
/// takes one real build (category Builds).
/// </summary>
[TestFixture]
public sealed class BuildScriptTests
{
    private const string Rebuilding = "build.sh: building the build host";
    private string _scratch = null!;
    private string? _stubs;

    [OneTimeSetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("build-script-").FullName;

    [OneTimeTearDown]
    public void RemoveScratch() => Directory.Delete(_scratch, recursive: true);

    [TearDown]
    public void RemoveStubs()
    {
        if (_stubs is not null) Directory.Delete(_stubs, recursive: true);
        _stubs = null;
    }

    [Test]
    [Category(TestTiers.Builds)]
    public void The_first_run_compiles_the_host_and_runs_it()
    {
        var first = Checkout("real");
        var built = BuildScript(first, "--help");
        Assert.That(built.Error, Does.Contain(Rebuilding), "the first run compiles the host");
        Assert.That(built.Output, Does.Contain("--target"), "and then runs it");
        Assert.That(BuildScript(first, "--help").Error, Does.Not.Contain(Rebuilding), "nothing changed");
    }

    [Test]
    public void A_restored_host_starts_without_a_rebuild_and_a_changed_source_rebuilds_it()
    {
        // dotnet as build.sh uses it: `msbuild ... -property:PublishDir=DIR/` leaves DIR/Build.dll;
        // `dotnet DIR/Build.dll --help` prints the usage.
        _stubs = Directory.CreateTempSubdirectory("build-script-stubs-").FullName;
        var dotnet = Path.Combine(_stubs, "dotnet");
        File.WriteAllText(dotnet, """
            #!/bin/sh
            if [ "$1" = msbuild ]; then
              for argument in "$@"; do case "$argument" in -property:PublishDir=*) out="${argument#-property:PublishDir=}" ;; esac; done
              mkdir -p "$out" && echo "a stand-in of the host" >"$out/Build.dll"
              exit 0
            fi
            echo "usage: ./build.sh --target=<target> [--dry-run]"
            """);
        Assert.That(Command.Run("chmod", ["+x", dotnet]).ExitCode, Is.Zero);

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

    private (string Output, string Error) BuildScript(string root, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        if (_stubs is not null) start.Environment["PATH"] = $"{_stubs}:{start.Environment["PATH"]}";
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
