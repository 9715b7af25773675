using System.Text.Json;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Host;

/// <summary>
/// Promote's dry run on realistic inputs, through the real program and no services: a plan is
/// made whatever can or cannot be asked, says what it could not know, and prints the requests
/// whole.
/// </summary>
[Parallelizable]
public sealed class PromoteDryRunTests
{
    private TempGitRepository _repository = null!;
    private string _head = null!;
    private int _closed;

    [SetUp]
    public void CreateRepository()
    {
        _repository = TempGitRepository.OfVersion("1.2.0");
        _head = _repository.CommitTheManifests();
        _closed = FreePort.Next();
    }

    [TearDown]
    public void DeleteRepository() => _repository.Dispose();

    private Dictionary<string, string?> Settings(params (string Name, string? Value)[] settings)
    {
        var environment = new Dictionary<string, string?>
        {
            ["REGISTRY"] = null, ["EC2_HOST"] = null, ["EC2_HOST_KEY"] = null, ["EC2_SSH_KEY"] = null, ["EC2_SSH_KEY_FILE"] = null,
            ["GITHUB_TOKEN"] = null, ["GITHUB_REPOSITORY"] = null, ["GITHUB_API_URL"] = null, ["SNAPSHOT_TAG"] = null, ["SNAPSHOT_FILE"] = null,
            ["HTTP_RETRIES"] = "0",
        };
        foreach (var (name, value) in settings) environment[name] = value;
        return environment;
    }

    [Test]
    public void GitHubUnreachableLeavesPlaceholdersAndTheWholePlan()
    {
        var result = HostProcess.Run(_repository.Root, Settings(("GITHUB_TOKEN", "token-for-the-plan"), ("GITHUB_REPOSITORY", "acme/book-shop"),
            ("GITHUB_API_URL", $"http://127.0.0.1:{_closed}/")), "--target=Promote", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain($"Could not ask GitHub (GitHub's API did not answer: the connection was refused (GET http://127.0.0.1:{_closed}/repos/acme/book-shop/git/ref/tags/v1.2.0, 1 attempt(s))"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: POST http://127.0.0.1:{_closed}/repos/acme/book-shop/git/tags "));
        Assert.That(result.StandardOutput, Does.Contain("Release notes cover <the previous release>..v1.2.0"));
        Assert.That(result.StandardOutput, Does.Contain("Dry run: nothing was executed;"));
        Assert.That(result.AllOutput, Does.Not.Contain("token-for-the-plan"));
    }

    // The plan printed the body cut at 120 characters ("- dige..."): the request it shows is the one made.
    [Test]
    public void TheReleaseRequestIsPrintedWhole()
    {
        var result = HostProcess.Run(_repository.Root, Settings(), "--target=Promote", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        var line = result.StandardOutput.Split('\n').Single(text => text.Contains("[dry-run] would run: POST ") && text.Contains("/releases "));
        using var request = JsonDocument.Parse(line[(line.IndexOf("/releases ", StringComparison.Ordinal) + "/releases ".Length)..]);
        Assert.That(request.RootElement.GetProperty("body").GetString(), Is.EqualTo(
            "<notes GitHub generates from <the previous release> to v1.2.0>\n\n## Image\n\n" +
            "- image: `<REGISTRY>/book-shop:v1.2.0`\n" +
            "- digest: `<the digest of <REGISTRY>/book-shop:1.2.0-SNAPSHOT-" + _head[..7] + ">`\n" +
            "- tested as: `1.2.0-SNAPSHOT-" + _head[..7] + "` (commit " + _head + ")\n"));
        Assert.That(result.StandardOutput, Does.Contain("GitHub is not asked (no GITHUB_TOKEN or GITHUB_REPOSITORY); the plan cannot name the previous release."));
    }

    [Test]
    public void ASnapshotRecordWithoutARegistryStillMakesThePlan()
    {
        var record = Path.Combine(_repository.Root, "snapshot.json");
        File.WriteAllText(record, JsonSerializer.Serialize(new
        {
            version = "1.2.0",
            snapshotTag = $"1.2.0-SNAPSHOT-{_head[..7]}",
            image = $"public.ecr.aws/abc1d2e3/book-shop:1.2.0-SNAPSHOT-{_head[..7]}",
            digest = "sha256:" + new string('a', 64),
            commit = _head,
            createdAt = "2026-12-06T07:00:00Z",
        }));

        var result = HostProcess.Run(_repository.Root, Settings(("SNAPSHOT_FILE", record)), "--target=Promote", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain($"The registry is not set; the plan cannot check that the record's image public.ecr.aws/abc1d2e3/book-shop:1.2.0-SNAPSHOT-{_head[..7]} is in it."));
        Assert.That(result.StandardOutput, Does.Contain("Dry run: nothing was executed;"));
    }
}
