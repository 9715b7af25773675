using System.Text.Json;

namespace Pipeline.Tests.Support;

/// <summary>
/// What every Promote end-to-end test starts from: a snapshot built and pushed on dev and merged
/// into main, its own GitHub repository in the double and namespace in the MicroK8s stand-in, its
/// production on the given NodePort; and the steps the tests repeat (Promote, Rollback, shipping
/// the next version on dev).
/// </summary>
public abstract class PromoteFixture(int nodePort)
{
    protected TestEnvironment _environment = null!;
    protected AppRepository _app = null!;
    protected DevRun _dev = null!;
    protected PromoteRun _promote = null!;
    protected string _snapshotSha = "";
    protected string _snapshotDigest = "";

    [SetUp]
    public async Task BuildASnapshotOnDevAndMergeIt()
    {
        _environment = TestEnvironment.Require();
        _app = new AppRepository(nodePort);
        _dev = new DevRun(_environment);
        _promote = new PromoteRun(_environment, _dev, nodePort);
        _promote.CreateNamespace();

        _main = _app.CurrentBranch;
        _app.StartBranch("dev");
        _snapshotSha = _app.Commit("src/book_shop/__init__.py", "\"\"\"book-shop: a small book catalogue (dev change).\"\"\"\n");
        var pushed = HostProcess.Run(_app.Root, _dev.Environment(), "--target=Push");
        Assert.That(pushed.ExitCode, Is.Zero, pushed.AllOutput);
        _snapshotDigest = (await _dev.RegistryDigest(SnapshotTag))!;

        _app.Checkout(_main);
        _app.MergeWithCommit("dev");
    }

    [TearDown]
    public void Clean()
    {
        _promote?.DeleteNamespace();
        _promote?.LogNodeIntoRegistry();
        _dev?.Clean();
        _app?.Dispose();
    }

    protected string _main = "";

    protected string SnapshotTag => $"0.1.0-SNAPSHOT-{_snapshotSha[..7]}";

    protected HostResult Promote(params string[] extra) =>
        HostProcess.Run(_app.Root, _promote.Environment(), ["--target=Promote", "--snapshot-file=artifacts/snapshot.json", .. extra]);

    /// <summary>A Promote that is meant to fail by a timeout: a short one, since the test waits it out.</summary>
    protected HostResult PromoteTimingOut(string setting, string timeout) =>
        HostProcess.Run(_app.Root, _promote.Environment((setting, timeout)), "--target=Promote", "--snapshot-file=artifacts/snapshot.json");

    protected HostResult Rollback(params string[] extra) =>
        HostProcess.Run(_app.Root, _promote.Environment(), ["--target=Rollback", .. extra]);

    /// <summary>The ledger: the repository's deployments in the GitHub double, oldest first, each with its statuses newest first.</summary>
    protected async Task<List<JsonElement>> Deployments() =>
        (await _promote.GitHub()).GetProperty("deployments").EnumerateArray().ToList();

    protected static string VersionAnswer(string version, string sha) => $"{{\"version\": \"{version}\", \"commit\": \"{sha}\"}}";

    /// <summary>Dev ships the next version: a commit on dev, its snapshot pushed, dev merged into main.</summary>
    protected Task<(string Sha, string Digest)> ShipOnDev(string version) =>
        Ship("pyproject.toml", () => _app.Read("pyproject.toml").Replace("version = \"0.1.0\"", $"version = \"{version}\""), version);

    /// <summary>Dev ships a change of one file, as every change goes: a commit on dev, its snapshot pushed, dev merged into main.</summary>
    protected Task<(string Sha, string Digest)> ShipFileOnDev(string path, string content) => Ship(path, () => content, "0.1.0");

    private async Task<(string Sha, string Digest)> Ship(string path, Func<string> content, string version)
    {
        _app.Checkout("dev");
        var sha = _app.Commit(path, content());
        var pushed = HostProcess.Run(_app.Root, _dev.Environment(), "--target=Push");
        Assert.That(pushed.ExitCode, Is.Zero, pushed.AllOutput);
        var digest = (await _dev.RegistryDigest($"{version}-SNAPSHOT-{sha[..7]}"))!;
        _app.Checkout(_main);
        _app.MergeWithCommit("dev");
        return (sha, digest);
    }

    protected void AssertProductionRuns(string digest, int pods = 2)
    {
        var serving = _promote.ServingPods();
        Assert.That(serving, Has.Count.EqualTo(pods));
        Assert.That(serving.Select(pod => pod.Status.ContainerStatuses.Single().ImageID), Is.All.EqualTo($"{_environment.Registry}/{_dev.Repository}@{digest}"));
    }

    protected IEnumerable<string> PromoteSecrets() => _dev.SecretValues().Append(_environment.GitHubToken);
}
