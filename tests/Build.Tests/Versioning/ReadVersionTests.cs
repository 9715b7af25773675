using Pipeline.Tests.Support;

namespace Pipeline.Tests.Versioning;

/// <summary>ReadVersion as a user runs it: the built host, in a real git repository.</summary>
[Parallelizable]
public sealed class ReadVersionTests
{
    private static readonly Dictionary<string, string?> Ci = new() { ["CI"] = "true" };

    [Test]
    public void PrintsTheSnapshotTagOfHeadInACleanRepository()
    {
        using var repository = new TempGitRepository();
        repository.Write("pyproject.toml", "[project]\nname = \"book-shop\"\nversion = \"1.2.0\"\n");
        var sha = repository.Commit();

        var result = HostProcess.Run(repository.Root, Ci, "--target=ReadVersion");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain($"Version 1.2.0, commit {sha}, snapshot tag 1.2.0-SNAPSHOT-{sha[..7]}"));
    }

    [Test]
    public void DryRunPrintsTheSameFactsAndSaysNothingWasExecuted()
    {
        using var repository = new TempGitRepository();
        repository.Write("pyproject.toml", "[project]\nversion = \"1.2.0\"\n");
        var sha = repository.Commit();

        var result = HostProcess.Run(repository.Root, null, "--target=ReadVersion", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain($"snapshot tag 1.2.0-SNAPSHOT-{sha[..7]}"));
        Assert.That(result.StandardOutput, Does.Contain("Dry run: nothing was executed; 0 action(s) planned above."));
    }

    [Test]
    public void ADirtyTreeIsAWarningOutsideCi()
    {
        using var repository = new TempGitRepository();
        repository.Write("pyproject.toml", "[project]\nversion = \"1.2.0\"\n");
        var sha = repository.Commit();
        repository.Write("src/app.py", "print('changed')\n");

        var result = HostProcess.Run(repository.Root, null, "--target=ReadVersion");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.AllOutput, Does.Contain($"The working tree has uncommitted changes (src/app.py): an image built now would not match commit {sha[..7]} in its tag."));
        Assert.That(result.StandardOutput, Does.Contain($"snapshot tag 1.2.0-SNAPSHOT-{sha[..7]}"));
    }

    [Test]
    public void ADirtyTreeIsAnErrorInCi()
    {
        using var repository = new TempGitRepository();
        repository.Write("pyproject.toml", "[project]\nversion = \"1.2.0\"\n");
        var sha = repository.Commit();
        repository.Write("pyproject.toml", "[project]\nversion = \"1.3.0\"\n");

        var result = HostProcess.Run(repository.Root, Ci, "--target=ReadVersion");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Is.EqualTo(
            $"Error: ReadVersion: The working tree has uncommitted changes (pyproject.toml): an image built now would not match commit {sha[..7]} in its tag. Commit or stash them (with CI=true this is an error)."));
    }

    [Test]
    public void RefusesOutsideAGitRepository()
    {
        using var folder = new TempGitRepository(init: false);
        folder.Write("pyproject.toml", "[project]\nversion = \"1.2.0\"\n");

        var result = HostProcess.Run(folder.Root, null, "--target=ReadVersion");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Is.EqualTo($"Error: ReadVersion: {folder.Root} is not inside a git repository: the snapshot tag names a commit; run the build from a clone."));
    }

    [Test]
    public void RefusesBeforeTheFirstCommit()
    {
        using var repository = new TempGitRepository();
        repository.Write("pyproject.toml", "[project]\nversion = \"1.2.0\"\n");

        var result = HostProcess.Run(repository.Root, null, "--target=ReadVersion");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Is.EqualTo("Error: ReadVersion: The git repository has no commit yet: the snapshot tag names a commit; commit first."));
    }

    [Test]
    public void ABadVersionIsOneLineWithoutAStackTrace()
    {
        using var repository = new TempGitRepository();
        repository.Write("pyproject.toml", "[project]\nversion = \"1.2.0rc1\"\n");
        repository.Commit();

        var result = HostProcess.Run(repository.Root, null, "--target=ReadVersion");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Is.EqualTo(
            "Error: ReadVersion: pyproject.toml: version \"1.2.0rc1\" is not MAJOR.MINOR.PATCH without leading zeros (for example 1.2.0): the image and release tags need X.Y.Z."));
        Assert.That(result.AllOutput, Does.Not.Contain("   at "));
    }
}
