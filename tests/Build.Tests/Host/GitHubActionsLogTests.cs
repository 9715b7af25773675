using Pipeline.Tests.Support;

namespace Pipeline.Tests.Host;

/// <summary>
/// In GitHub Actions a run's log is readable: each task's output is a collapsible group named
/// after it, and a failure is an error annotation (on the file and line when it is about one).
/// Outside Actions the output has no workflow commands.
/// </summary>
public sealed class GitHubActionsLogTests
{
    private static readonly Dictionary<string, string?> InActions = new() { ["GITHUB_ACTIONS"] = "true" };

    private static string[] Lines(HostResult result) => result.StandardOutput.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();

    [Test]
    public void EachTaskIsAGroupNamedAfterIt()
    {
        using var repository = new TempGitRepository();
        repository.Write("pyproject.toml", "[project]\nversion = \"1.2.0\"\n");
        repository.Commit();

        var result = HostProcess.Run(repository.Root, InActions, "--target=ReadVersion");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        var lines = Lines(result);
        var start = Array.IndexOf(lines, "::group::ReadVersion");
        var version = Array.FindIndex(lines, line => line.StartsWith("Version 1.2.0", StringComparison.Ordinal));
        var end = Array.IndexOf(lines, "::endgroup::");
        Assert.That(start, Is.GreaterThanOrEqualTo(0), result.StandardOutput);
        Assert.That(version, Is.GreaterThan(start), "the task's output is inside its group");
        Assert.That(end, Is.GreaterThan(version));
        Assert.That(lines.Where(line => line.StartsWith("::error", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void AFailureIsAnErrorAnnotationOnTheFileAndLine()
    {
        using var repository = new TempGitRepository();
        repository.Write("pyproject.toml", "[project]\nversion = \"1.2.0\"\nname = \"book-shop\" trailing\n");
        repository.Commit();

        var result = HostProcess.Run(repository.Root, InActions, "--target=ReadVersion");

        Assert.That(result.ExitCode, Is.Not.Zero);
        var error = Lines(result).Single(line => line.StartsWith("::error ", StringComparison.Ordinal));
        var parameters = error["::error ".Length..error.IndexOf("::", "::error ".Length, StringComparison.Ordinal)].Split(',');
        Assert.That(parameters, Does.Contain("file=pyproject.toml").And.Contain("line=3"));
        Assert.That(error, Does.EndWith("::" + result.LastErrorLine["Error: ".Length..]), "the annotation is the run's last line");
        Assert.That(result.LastErrorLine, Does.StartWith("Error: ReadVersion: pyproject.toml is not valid TOML at line 3"));
    }

    [Test]
    public void OutsideActionsThereAreNoWorkflowCommands()
    {
        using var repository = new TempGitRepository();
        repository.Write("pyproject.toml", "[project]\nversion = \"1.2.0\"\nname = [\n");
        repository.Commit();

        var result = HostProcess.Run(repository.Root, null, "--target=ReadVersion");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(Lines(result).Where(line => line.StartsWith("::", StringComparison.Ordinal)), Is.Empty);
    }
}
