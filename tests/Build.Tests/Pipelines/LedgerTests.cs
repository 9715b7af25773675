using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Pipelines;

/// <summary>
/// The ledger on GitHub (the double's deployments), Rollback and Status, as a user runs them
/// after Promote and Dev: production on NodePort 30081, beside PromotePipelineTests' 30080.
/// </summary>
[NonParallelizable]
[Category(TestTiers.EndToEnd)]
[Category(TestTiers.ProductionNodeAside)]
public sealed class LedgerTests() : PromoteFixture(PromoteRun.AsideNodePort)
{
    [Test]
    public async Task RollbackRedeploysTheLastVerifiedReleaseByDigestMarksTheBadOneAndNeverReturnsToItByItself()
    {
        Assert.That(Promote().ExitCode, Is.Zero);
        var (nextSha, nextDigest) = await ShipOnDev("0.2.0");
        Assert.That(Promote().ExitCode, Is.Zero);

        HostResult rolledBack;
        await using (var poller = new NodePortPoller(_promote.Production("/version")))
        {
            rolledBack = Rollback();
            var (sequence, failures, _) = await poller.Stop();
            Assert.That(failures, Is.Zero, string.Join("\n", sequence));
        }

        Assert.That(rolledBack.ExitCode, Is.Zero, rolledBack.AllOutput);
        Assert.That(rolledBack.StandardOutput, Does.Contain($"Rolling production back from v0.2.0 ({nextDigest}) to v0.1.0 ({_snapshotDigest}): the last release verified in production before v0.2.0."));
        Assert.That(await PromoteRun.Get(_promote.Production("/version")), Is.EqualTo(VersionAnswer("0.1.0", _snapshotSha)));
        AssertProductionRuns(_snapshotDigest);
        Assert.That(rolledBack.StandardOutput, Does.Not.Contain("docker build").And.Not.Contain("/releases"), "nothing rebuilt, no release made");
        var ledger = await Deployments();
        Assert.That(ledger.Select(d => d.GetProperty("payload").GetProperty("version").GetString()), Is.EqualTo(new[] { "0.1.0", "0.2.0", "0.1.0" }));
        Assert.That(ledger.Select(d => d.GetProperty("environment").GetString()), Is.All.EqualTo("production"));
        Assert.That(ledger[2].GetProperty("payload").GetProperty("digest").GetString(), Is.EqualTo(_snapshotDigest));
        Assert.That(ledger[2].GetProperty("sha").GetString(), Is.EqualTo(_snapshotSha));
        Assert.That(ledger[2].GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("state").GetString()), Is.EqualTo(new[] { "in_progress", "success" }));
        var marked = ledger[1].GetProperty("statuses").EnumerateArray().Last();
        Assert.That((marked.GetProperty("state").GetString(), marked.GetProperty("description").GetString()), Is.EqualTo(("failure", "rolled back to v0.1.0")));
        Assert.That((await _promote.GitHub()).GetProperty("violations").GetArrayLength(), Is.Zero, (await _promote.GitHub()).GetProperty("violations").ToString());

        var again = Rollback();

        Assert.That(again.ExitCode, Is.Not.Zero);
        Assert.That(again.LastErrorLine, Is.EqualTo($"Error: Rollback: The ledger has no release verified in production before v0.1.0 ({_snapshotDigest}) that was not rolled back from: there is nothing earlier to go to; name one with --to."));
        Assert.That(await PromoteRun.Get(_promote.Production("/version")), Is.EqualTo(VersionAnswer("0.1.0", _snapshotSha)));

        var chosen = Rollback("--to=v0.2.0");

        Assert.That(chosen.ExitCode, Is.Zero, chosen.AllOutput);
        Assert.That(await PromoteRun.Get(_promote.Production("/version")), Is.EqualTo(VersionAnswer("0.2.0", nextSha)));
        AssertProductionRuns(nextDigest);
        Assert.That(Rollback("--to=v0.2.0").StandardOutput, Does.Contain($"Nothing to do: production already runs v0.2.0 ({nextDigest})."));

        // The release tag v0.1.0 pushed over with other bytes: refused before anything changes.
        var moved = _dev.Reference("v0.1.0");
        DockerEngine.Succeed("tag", _environment.BaseImage, moved);
        DockerEngine.Succeed("push", moved);
        var revision = _promote.Revision;
        var refused = Rollback("--to=v0.1.0");

        Assert.That(refused.ExitCode, Is.Not.Zero);
        Assert.That(refused.LastErrorLine, Does.StartWith($"Error: Rollback: {moved} names sha256:").And.Contain($"in the registry, not {_snapshotDigest} as the ledger recorded: the tag was moved or removed; nothing was changed."));
        Assert.That(_promote.Revision, Is.EqualTo(revision), "nothing rolled out");
        Assert.That(await PromoteRun.Get(_promote.Production("/version")), Is.EqualTo(VersionAnswer("0.2.0", nextSha)));
        Secrets.AssertNoneIn(_dev, _app, PromoteSecrets(), rolledBack, again, chosen, refused);
    }

    [Test]
    public async Task ARollbackWhoseReleaseNeverTurnsReadyLeavesTheCurrentOneServingAndFailsWithOneLine()
    {
        Assert.That(Promote().ExitCode, Is.Zero);
        var (nextSha, nextDigest) = await ShipOnDev("0.2.0");
        Assert.That(Promote().ExitCode, Is.Zero);
        // v0.1.0's image is no longer on the node, and the node can no longer pull.
        // The node pulled it by digest (the Deployment names the tag pinned to it).
        var imageId = _promote.Podman("image", "inspect", "--format", "{{.Id}}", $"{_environment.Registry}/{_dev.Repository}@{_snapshotDigest}").Output.Trim();
        Assert.That(_promote.Podman("rmi", "--force", imageId).ExitCode, Is.Zero);
        _promote.LogNodeOutOfRegistry();

        var failed = HostProcess.Run(_app.Root, _promote.Environment(("ROLLOUT_TIMEOUT", "10s")), "--target=Rollback");

        Assert.That(failed.ExitCode, Is.Not.Zero);
        Assert.That(failed.LastErrorLine, Does.StartWith($"Error: Rollback: `ssh {_promote.SshUser}@127.0.0.1:{_environment.SshPort} (roll out {_dev.Reference("v0.1.0")})` failed with exit code 1"));
        Assert.That(await PromoteRun.Get(_promote.Production("/version")), Is.EqualTo(VersionAnswer("0.2.0", nextSha)));
        AssertProductionRuns(nextDigest);
        var ledger = await Deployments();
        Assert.That(ledger[^1].GetProperty("statuses").EnumerateArray().Last().GetProperty("state").GetString(), Is.EqualTo("failure"));
        Assert.That(ledger[1].GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("description").GetString()), Has.None.StartsWith("rolled back"), "the current release is not marked");
    }

    /// <summary>Status: every environment against the ledger and the registry; then three drifts by hand, each named.</summary>
    [Test]
    public async Task StatusAgreesAfterTheRunsAndNamesEachDriftAfterChangesByHand()
    {
        Assert.That(Promote().ExitCode, Is.Zero);

        var agreed = HostProcess.Run(_app.Root, _promote.Environment(), "--target=Status");

        Assert.That(agreed.ExitCode, Is.Zero, agreed.AllOutput);
        Assert.That(agreed.StandardOutput, Does.Match($@"\| production +\| microk8s +\| v0\.1\.0 +\| {_snapshotSha[..7]} +\| {_snapshotDigest} +\| [0-9-]+ [0-9:]+Z +\| {Regex.Escape(_environment.Registry)}/{_dev.Repository}@{_snapshotDigest} +\| yes +\|"));
        Assert.That(agreed.StandardOutput, Does.Match(@"\| dev +\| docker-host +\| none +\| +\| +\| +\| nothing +\| yes +\|"));
        Assert.That(agreed.StandardOutput, Does.Contain("Every environment runs what the ledger says, and every release tag names its recorded digest."));

        var json = HostProcess.Run(_app.Root, _promote.Environment(), "--target=Status", "--format=json");
        Assert.That(json.ExitCode, Is.Zero, json.AllOutput);
        var rows = JsonDocument.Parse(File.ReadAllText(Path.Combine(_app.Root, "artifacts", "status.json"))).RootElement.EnumerateArray().ToList();
        Assert.That(rows.Select(row => row.GetProperty("environment").GetString()), Is.EqualTo(new[] { "dev", "production" }));
        Assert.That(rows[1].GetProperty("digest").GetString(), Is.EqualTo(_snapshotDigest));
        Assert.That(rows.Select(row => row.GetProperty("drifts").GetArrayLength()), Is.All.Zero);

        // By hand: a container as dev's, the next image set in production, the release tag pushed over.
        var (nextSha, nextDigest) = await ShipOnDev("0.2.0");
        DockerEngine.Succeed("run", "--detach", "--name", _dev.Container, "--label", "book-shop.test=true", "--publish", $"127.0.0.1:{_dev.Port}:8000", _dev.Reference(SnapshotTag));
        var next = _promote.Kubectl("set", "image", "--namespace", _promote.Namespace, "deployment/book-shop", $"book-shop={_dev.Reference($"0.2.0-SNAPSHOT-{nextSha[..7]}")}");
        Assert.That(next.ExitCode, Is.Zero, next.Error);
        Assert.That(_promote.Kubectl("rollout", "status", "--namespace", _promote.Namespace, "deployment/book-shop", "--timeout=60s").ExitCode, Is.Zero);
        DockerEngine.Succeed("tag", _environment.BaseImage, _dev.Reference("v0.1.0"));
        DockerEngine.Succeed("push", _dev.Reference("v0.1.0"));

        var drifted = HostProcess.Run(_app.Root, _promote.Environment(), "--target=Status");

        Assert.That(drifted.ExitCode, Is.Not.Zero);
        var drifts = drifted.AllOutput.Split('\n').Where(line => line.Contains("drift: ", StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf("drift: ", StringComparison.Ordinal) + 7)..].Trim()).Distinct().ToList();
        Assert.That(drifts, Has.Count.EqualTo(3), drifted.AllOutput);
        Assert.That(drifts, Has.Some.EqualTo($"dev runs {_environment.Registry}/{_dev.Repository}@{_snapshotDigest}, which the ledger has no verified deployment of"));
        Assert.That(drifts, Has.Some.StartWith($"production runs {_environment.Registry}/{_dev.Repository}@{nextDigest}, but the ledger says v0.1.0 ({_snapshotDigest})"));
        Assert.That(drifts, Has.Some.Match($"^{Regex.Escape(_dev.Reference("v0.1.0"))} names sha256:[0-9a-f]{{64}} in the registry, not {_snapshotDigest} as the ledger recorded for production$"));
        Assert.That(drifted.LastErrorLine, Is.EqualTo("Error: Status: 3 drift(s) between the ledger, the environments and the registry (above): deploy, roll back, or put the tag back, then re-run Status."));
    }
}
