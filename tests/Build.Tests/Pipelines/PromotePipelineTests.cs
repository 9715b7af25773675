using System.Text.RegularExpressions;
using System.Text;
using System.Text.Json;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Pipelines;

/// <summary>
/// ./build.sh --target=Promote on main after dev was merged, as a user runs it: the real
/// registry and SSH host of the Dev tests, the GitHub double, and the MicroK8s stand-in whose
/// pods really run; production is watched through its NodePort as users reach it.
/// </summary>
[NonParallelizable]
[Category(TestTiers.EndToEnd)]
[Category(TestTiers.ProductionNode)]
public sealed class PromotePipelineTests() : PromoteFixture(PromoteRun.DefaultNodePort)
{
    [Test]
    public async Task ReleasesTheTestedImageAndProductionServesItFromPodsRunningThatDigest()
    {
        var logins = _environment.SshLogins(_promote.SshUser);
        var result = Promote();

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(_environment.SshLogins(_promote.SshUser) - logins, Is.EqualTo(1), "the rollout and its check share the run's one SSH connection");
        var github = await _promote.GitHub();
        Assert.That(github.GetProperty("violations").GetArrayLength(), Is.Zero, github.GetProperty("violations").ToString());
        var reference = github.GetProperty("refs").GetProperty("refs/tags/v0.1.0").GetProperty("object");
        Assert.That(reference.GetProperty("type").GetString(), Is.EqualTo("tag"), "an annotated tag, not a lightweight one");
        var tagObject = github.GetProperty("tags").GetProperty(reference.GetProperty("sha").GetString()!);
        Assert.That(tagObject.GetProperty("object").GetProperty("sha").GetString(), Is.EqualTo(_snapshotSha), "on the commit dev built, not the merge commit");
        var release = github.GetProperty("releases").EnumerateArray().Single();
        Assert.That(release.GetProperty("tag_name").GetString(), Is.EqualTo("v0.1.0"));
        Assert.That(release.GetProperty("body").GetString(), Does.Contain("**Full Changelog**").And.Contain($"- digest: `{_snapshotDigest}`"));
        Assert.That(github.GetProperty("requests").EnumerateArray().Select(r => r.GetString()), Does.Contain("POST /repos/{owner}/{repo}/releases/generate-notes -> 200"));

        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.EqualTo(_snapshotDigest), "the release tag names the tested bytes");
        Assert.That(_promote.Revision, Is.EqualTo(1), "exactly one rollout");
        Assert.That(_promote.Deployment()!.Spec.Template.Spec.Containers.Single().Image, Is.EqualTo($"{_dev.Reference("v0.1.0")}@{_snapshotDigest}"), "the tag pinned to the verified digest");
        Assert.That(await PromoteRun.Get(_promote.Production("/version")), Is.EqualTo(VersionAnswer("0.1.0", _snapshotSha)));
        AssertProductionRuns(_snapshotDigest);
        Assert.That(result.StandardOutput, Does.Contain($"Production serves v0.1.0 ({_snapshotSha[..7]}) from pods running {_snapshotDigest}."));

        // What the node runs is the manifest's pod, securityContext included.
        var pod = _promote.ServingPods().First();
        var inspected = _promote.Podman("inspect", "--format", "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.EffectiveCaps}} {{.HostConfig.SecurityOpt}}", _promote.ContainerOf(pod));
        Assert.That(inspected.Output.Trim(), Is.EqualTo("10001:10001 true [] [no-new-privileges]"), inspected.Error);
        Assert.That(_promote.Podman("exec", _promote.ContainerOf(pod), "touch", "/written").Error, Does.Contain("Read-only file system"));
        var podNames = _promote.ServingPods().Select(p => p.Metadata.Name).Order().ToList();

        var again = Promote();

        Assert.That(again.ExitCode, Is.Zero, again.AllOutput);
        github = await _promote.GitHub();
        Assert.That(github.GetProperty("releases").GetArrayLength(), Is.EqualTo(1));
        Assert.That(github.GetProperty("tags").EnumerateObject().Count(), Is.EqualTo(1));
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.EqualTo(_snapshotDigest));
        Assert.That(_promote.Revision, Is.EqualTo(1), "a re-run rolls nothing out");
        Assert.That(_promote.ServingPods().Select(p => p.Metadata.Name).Order(), Is.EqualTo(podNames), "the same pods serve on");
        Secrets.AssertNoneIn(_dev, _app, PromoteSecrets(), result, again);
    }

    [Test]
    public async Task ASnapshotPushedOverByHandIsRefusedBeforeReleaseAndTheNodeRefusesAnUnsignedImageSetByHand()
    {
        var released = Promote();
        Assert.That(released.ExitCode, Is.Zero, released.AllOutput);
        var repository = $"{_environment.Registry}/{_dev.Repository}";
        // ResolveSnapshot checks the snapshot, Rollout the release tag: the same digest, one signature.
        Assert.That(Regex.Matches(released.StandardOutput, Regex.Escape($"Verified {repository}@{_snapshotDigest}: signed by key ")), Has.Count.EqualTo(2), released.StandardOutput);
        using var registry = new RegistryHttp(_environment, _dev.Repository);
        Assert.That(registry.VerifyInPython(_snapshotDigest).Output.Trim(), Is.EqualTo("verified: signed"));

        var unsigned = await registry.PutVariant(SnapshotTag, SnapshotTag, "pushed over by hand");
        var refused = HostProcess.Run(_app.Root, _promote.Environment(), "--target=Promote", $"--snapshot-tag={SnapshotTag}");

        Assert.That(refused.ExitCode, Is.Not.Zero);
        Assert.That(refused.LastErrorLine, Is.EqualTo($"Error: ResolveSnapshot: Refusing {repository}@{unsigned}: no signature ({unsigned.Replace(':', '-')}.sig is not in the registry); "
            + "only images this pipeline built and signed are deployed. Deploy an image Dev pushed and signed, or sign this one with the key of cosign.pub (README: Signing)."));
        Assert.That(registry.VerifyInPython(unsigned).Output, Does.StartWith("no-signature:"));
        var github = await _promote.GitHub();
        Assert.That(github.GetProperty("releases").GetArrayLength(), Is.EqualTo(1), "nothing was created on GitHub");
        Assert.That(github.GetProperty("deployments").GetArrayLength(), Is.EqualTo(1), "nor recorded");
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.EqualTo(_snapshotDigest));
        Assert.That(await PromoteRun.Get(_promote.Production("/version")), Is.EqualTo(VersionAnswer("0.1.0", _snapshotSha)));

        // Past the pipeline, by hand: the node's admission policy refuses it on its own.
        var revision = _promote.Revision;
        var set = _promote.Kubectl("set", "image", "--namespace", _promote.Namespace, "deployment/book-shop", $"book-shop={repository}@{unsigned}");
        Assert.That(set.ExitCode, Is.Not.Zero);
        Assert.That(set.Error.Trim(), Does.StartWith("Error from server (BadRequest): admission webhook \"policy.sigstore.dev\" denied the request: validation failed: failed policy: book-shop-signed: "
            + $"spec.template.spec.containers[0].image {repository}@{unsigned}: signature key validation failed: no-signature"));
        Assert.That(_promote.Revision, Is.EqualTo(revision));
        AssertProductionRuns(_snapshotDigest);
        Secrets.AssertNoneIn(_dev, _app, PromoteSecrets(), released, refused);
    }

    [Test]
    public async Task TheCatalogueSurvivesAReleaseAndNoRequestFailsDuringIt()
    {
        Assert.That(Promote().ExitCode, Is.Zero);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var posted = await http.PostAsync(_promote.Production("/books"), new StringContent("""{"title": "Dune", "author": "Frank Herbert"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(posted.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Created));
        var pods = _promote.ServingPods();
        var direct = await http.PostAsync(new Uri(PromoteRun.PodUrl(pods[0]), "/books"), new StringContent("""{"title": "Emma", "author": "Jane Austen"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(direct.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Created));
        Assert.That(await PromoteRun.Get(new Uri(PromoteRun.PodUrl(pods[1]), "/books")), Does.Contain("Dune").And.Contain("Emma"), "two pods, one catalogue");
        var (nextSha, nextDigest) = await ShipOnDev("0.2.0");

        HostResult result;
        await using (var poller = new NodePortPoller(_promote.Production("/version")))
        {
            result = Promote();
            var (sequence, failures, total) = await poller.Stop();

            Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
            Assert.That(failures, Is.Zero, string.Join("\n", sequence));
            Assert.That(total, Is.GreaterThan(100));
            Assert.That(sequence[0], Is.EqualTo(VersionAnswer("0.1.0", _snapshotSha)));
            Assert.That(sequence[^1], Is.EqualTo(VersionAnswer("0.2.0", nextSha)));
            Assert.That(sequence.Distinct(), Is.EquivalentTo(new[] { VersionAnswer("0.1.0", _snapshotSha), VersionAnswer("0.2.0", nextSha) }));
        }

        AssertProductionRuns(nextDigest);
        Assert.That(_promote.ServingPods().Select(pod => pod.Metadata.Name), Has.None.AnyOf(pods.Select(pod => pod.Metadata.Name).ToArray()));
        Assert.That(_promote.Revision, Is.EqualTo(2), "one rollout per promotion");
        var books = await PromoteRun.Get(_promote.Production("/books"));
        Assert.That(books, Does.Contain("Dune").And.Contain("Emma"), "the catalogue written before the release");
        Secrets.AssertNoneIn(_dev, _app, PromoteSecrets(), result);
    }

    [Test]
    public async Task AReleaseWhosePodsNeverTurnReadyIsUndoneWhileTheOldPodsServeAndAFixedRerunConverges()
    {
        Assert.That(Promote().ExitCode, Is.Zero);
        var (nextSha, nextDigest) = await ShipOnDev("0.2.0");
        // The node cannot pull the new image (its registry login expired): the new pod never turns ready.
        _promote.LogNodeOutOfRegistry();

        HostResult failed;
        await using (var poller = new NodePortPoller(_promote.Production("/version")))
        {
            failed = PromoteTimingOut("ROLLOUT_TIMEOUT", "10s");
            var (sequence, failures, _) = await poller.Stop();

            Assert.That(failures, Is.Zero, string.Join("\n", sequence));
            Assert.That(sequence, Is.EqualTo(new[] { VersionAnswer("0.1.0", _snapshotSha) }), "the previous release served throughout");
        }

        Assert.That(failed.ExitCode, Is.Not.Zero);
        Assert.That(failed.StandardOutput, Does.Contain($"production runs {_environment.Registry}/{_dev.Repository}@{_snapshotDigest}, answering {VersionAnswer("0.1.0", _snapshotSha)} now."),
            "what it runs is said before anything changes");
        Assert.That(failed.AllOutput, Does.Contain("ImagePullBackOff").And.Contain($"Failed to pull image \"{_dev.Reference("v0.2.0")}@{nextDigest}\""), "the pods and events as the failed rollout left them");
        Assert.That(failed.AllOutput, Does.Contain("deployment.apps/book-shop rolled back"));
        Assert.That(failed.LastErrorLine, Is.EqualTo($"Error: Rollout: `ssh {_promote.SshUser}@127.0.0.1:{_environment.SshPort} (roll out {_dev.Reference("v0.2.0")})` failed with exit code 1: " +
            $"the rollout of {_dev.Reference("v0.2.0")}@{nextDigest} did not finish within 10s and was undone: read the pods and events above, fix, and re-run Promote"));
        Assert.That(_promote.Revision, Is.EqualTo(3), "v0.1.0, the failed v0.2.0, and the undo");
        AssertProductionRuns(_snapshotDigest);

        _promote.LogNodeIntoRegistry();
        var rerun = Promote();

        Assert.That(rerun.ExitCode, Is.Zero, rerun.AllOutput);
        var github = await _promote.GitHub();
        Assert.That(github.GetProperty("releases").GetArrayLength(), Is.EqualTo(2));
        Assert.That(github.GetProperty("violations").GetArrayLength(), Is.Zero);
        Assert.That(await _dev.RegistryDigest("v0.2.0"), Is.EqualTo(nextDigest));
        Assert.That(await PromoteRun.Get(_promote.Production("/version")), Is.EqualTo(VersionAnswer("0.2.0", nextSha)));
        AssertProductionRuns(nextDigest);
        Assert.That(_promote.Revision, Is.EqualTo(4), "one rollout on the re-run");
        Secrets.AssertNoneIn(_dev, _app, PromoteSecrets(), failed, rerun);
    }

    [Test]
    public async Task AServiceThatStillSendsToOtherCodeFailsTheCheckAndTheRolloutIsUndone()
    {
        Assert.That(Promote().ExitCode, Is.Zero);
        var (_, nextDigest) = await ShipOnDev("0.2.0");
        ApplyADeploymentByHandThatTheServiceSendsTo();

        var result = PromoteTimingOut("PRODUCTION_CHECK_TIMEOUT", "8s");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Does.StartWith("Error: Rollout: Production does not serve v0.2.0 after the rollout: its NodePort did not answer 5 times in a row with v0.2.0"));
        Assert.That(result.LastErrorLine, Does.Contain($"runs {_environment.Registry}/{_dev.Repository}@{_snapshotDigest}, not {nextDigest}"));
        Assert.That(result.LastErrorLine, Does.EndWith("The rollout was undone; read the pods and events above, fix, and re-run Promote."));
        Assert.That(result.AllOutput, Does.Contain("deployment.apps/book-shop rolled back"));
        Assert.That(_promote.Revision, Is.EqualTo(3), "v0.1.0, v0.2.0, and the undo");
        Assert.That(_promote.Deployment()!.Spec.Template.Spec.Containers.Single().Image, Is.EqualTo($"{_dev.Reference("v0.1.0")}@{_snapshotDigest}"), "the tag pinned to the verified digest");
    }

    /// <summary>A Deployment left by hand with the same pod labels, running v0.1.0: the Service sends to it as well.</summary>
    private void ApplyADeploymentByHandThatTheServiceSendsTo()
    {
        var stray = Path.Combine(Path.GetTempPath(), $"stray-{_promote.Namespace}.yaml");
        File.WriteAllText(stray, $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: book-shop-by-hand
            spec:
              replicas: 1
              selector:
                matchLabels: {app.kubernetes.io/name: book-shop, started-by: hand}
              template:
                metadata:
                  labels: {app.kubernetes.io/name: book-shop, started-by: hand}
                spec:
                  containers:
                    - name: book-shop
                      image: {{_dev.Reference("v0.1.0")}}
                      ports: [{name: http, containerPort: 8000}]
                      readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
            """);
        var applied = _promote.Kubectl("apply", "--namespace", _promote.Namespace, "--filename", stray);
        File.Delete(stray);
        Assert.That(applied.ExitCode, Is.Zero, applied.Error);
    }

    /// <summary>
    /// An environment of kind kubernetes, declared in the repository: the MicroK8s stand-in driven
    /// from the runner through a kube context of a kubeconfig the workflow would write, with no
    /// SSH setting at all; the check asks the environment's URL (the NodePort, from here).
    /// </summary>
    [Test]
    public async Task AKubernetesEnvironmentIsDeployedFromTheRunnerThroughItsContextWithNoSshAndARolloutThatDoesNotServeIsUndone()
    {
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"kubeconfig-{_promote.Namespace}");
        File.WriteAllText(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters:
              - name: book-shop-test
                cluster: {server: "https://127.0.0.1:16443"}
            users:
              - name: book-shop-test
                user: {}
            contexts:
              - name: book-shop-test
                context: {cluster: book-shop-test, user: book-shop-test}
            """);
        try
        {
            // Declared on dev, as every change: a promotion releases only what dev built and tested.
            var (sha, digest) = await ShipFileOnDev("environments.toml", $$"""
                [cluster]
                kind = "kubernetes"
                context = "book-shop-test"
                url = "http://127.0.0.1:{{_promote.NodePort}}/"
                """);
            var settings = _promote.Environment(("CLUSTER_KUBECTL", $"{_environment.Microk8s} kubectl"), ("CLUSTER_KUBECONFIG", kubeconfig),
                ("CLUSTER_NAMESPACE", _promote.Namespace), ("CLUSTER_CHECK_TIMEOUT", "8s"),
                ("EC2_HOST", null), ("EC2_SSH_KEY", null), ("EC2_HOST_KEY", null), ("EC2_USER", null), ("EC2_PORT", null));
            HostResult ToCluster() => HostProcess.Run(_app.Root, settings, "--target=Promote", "--snapshot-file=artifacts/snapshot.json", "--environment=cluster");
            var logins = _environment.SshLogins(_promote.SshUser);

            var released = ToCluster();

            Assert.That(released.ExitCode, Is.Zero, released.AllOutput);
            Assert.That(released.StandardOutput, Does.Contain($"Cluster serves v0.1.0 ({sha[..7]}) from pods running {digest}."));
            Assert.That(await PromoteRun.Get(_promote.Production("/version")), Is.EqualTo(VersionAnswer("0.1.0", sha)));
            AssertProductionRuns(digest);
            Assert.That(_promote.Revision, Is.EqualTo(1));

            var (_, nextDigest) = await ShipOnDev("0.2.0");
            ApplyADeploymentByHandThatTheServiceSendsTo();

            var failed = ToCluster();

            Assert.That(failed.ExitCode, Is.Not.Zero);
            Assert.That(failed.StandardOutput, Does.Contain($"cluster runs {_environment.Registry}/{_dev.Repository}@{digest}, answering {VersionAnswer("0.1.0", sha)} now."));
            Assert.That(failed.LastErrorLine, Does.StartWith($"Error: Rollout: Cluster does not serve v0.2.0 after the rollout: http://127.0.0.1:{_promote.NodePort}/ did not answer 5 times in a row with v0.2.0"));
            Assert.That(failed.LastErrorLine, Does.Contain($"runs {_environment.Registry}/{_dev.Repository}@{digest}, not {nextDigest}"));
            Assert.That(failed.AllOutput, Does.Contain("deployment.apps/book-shop rolled back"));
            Assert.That(_promote.Revision, Is.EqualTo(3), "v0.1.0, v0.2.0, and the undo");
            Assert.That(_promote.Deployment()!.Spec.Template.Spec.Containers.Single().Image, Is.EqualTo($"{_dev.Reference("v0.1.0")}@{digest}"), "the tag pinned to the verified digest");
            Assert.That(_environment.SshLogins(_promote.SshUser), Is.EqualTo(logins), "no SSH connection was made");
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Test]
    public async Task ARerunAfterAFailedReleaseConverges()
    {
        // GitHub refuses two writes with 503 and the run may retry once: the release step fails.
        using (var http = new HttpClient())
        {
            await http.PostAsync($"{_environment.GitHubStateUrl.Replace("/_state/", "/_fail/")}{_promote.GitHubRepository}/2", null);
        }
        var releaseFailed = HostProcess.Run(_app.Root, _promote.Environment(("HTTP_RETRIES", "1")), "--target=Promote", "--snapshot-file=artifacts/snapshot.json");
        Assert.That(releaseFailed.ExitCode, Is.Not.Zero);
        Assert.That(releaseFailed.LastErrorLine, Does.StartWith("Error: Release: GitHub answered 503"));
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.Null, "nothing after the failed step happened");

        var rerun = Promote();

        Assert.That(rerun.ExitCode, Is.Zero, rerun.AllOutput);
        var github = await _promote.GitHub();
        Assert.That(github.GetProperty("releases").GetArrayLength(), Is.EqualTo(1));
        Assert.That(github.GetProperty("refs").EnumerateObject().Count(), Is.EqualTo(1));
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.EqualTo(_snapshotDigest));
        Assert.That(_promote.Revision, Is.EqualTo(1));
        Secrets.AssertNoneIn(_dev, _app, PromoteSecrets(), releaseFailed, rerun);
    }

    /// <summary>A GitHub that answers every request with an error quoting the request's own Authorization header.</summary>
    [Test]
    public async Task AGitHubErrorThatEchoesTheTokenShowsItRedacted()
    {
        using var echo = new System.Net.HttpListener();
        var port = FreePort.Next();
        echo.Prefixes.Add($"http://127.0.0.1:{port}/");
        echo.Start();
        var serving = Task.Run(async () =>
        {
            while (echo.IsListening)
            {
                System.Net.HttpListenerContext request;
                try { request = await echo.GetContextAsync(); } catch (Exception) { return; }
                var body = Encoding.UTF8.GetBytes($"{{\"message\":\"Bad credentials: {request.Request.Headers["Authorization"]}\"}}");
                request.Response.StatusCode = 401;
                request.Response.ContentType = "application/json";
                await request.Response.OutputStream.WriteAsync(body);
                request.Response.Close();
            }
        });

        var result = HostProcess.Run(_app.Root, _promote.Environment(("GITHUB_API_URL", $"http://127.0.0.1:{port}/api/v3/")),
            "--target=Promote", "--snapshot-file=artifacts/snapshot.json", "--verbosity=diagnostic");
        echo.Stop();
        await serving;

        Assert.That(result.ExitCode, Is.Not.Zero);
        var error = result.AllOutput.Split('\n').First(line => line.StartsWith("Error:", StringComparison.Ordinal));
        Assert.That(error, Does.Contain("Bad credentials: ").And.Contain("[REDACTED]"), "the server's words are kept, the token is not");
        // The scan reads everything a user sees (the runner consumes ::add-mask:: lines).
        Secrets.AssertNoneIn(_dev, _app, PromoteSecrets(), result);
    }

    [Test]
    public async Task ADryRunPrintsThePlanAndChangesNothing()
    {
        var result = Promote("--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        var api = _environment.GitHubApiUrl;
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: POST {api}repos/{_promote.GitHubRepository}/git/tags {{\"tag\":\"v0.1.0\""));
        Assert.That(result.StandardOutput, Does.Contain($"\"object\":\"{_snapshotSha}\",\"type\":\"commit\"}}"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: POST {api}repos/{_promote.GitHubRepository}/git/refs {{\"ref\":\"refs/tags/v0.1.0\""));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: POST {api}repos/{_promote.GitHubRepository}/releases {{\"tag_name\":\"v0.1.0\""));
        // A dry run asks ECR Public for no token, so it reads anonymously; this registry refuses
        // that (ECR Public would answer), and the plan says it goes on with the record's digest.
        Assert.That(result.StandardOutput, Does.Contain("the plan goes on with the record's digest"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: PUT http://{_environment.Registry}/v2/{_dev.Repository}/manifests/v0.1.0 (the exact bytes of {SnapshotTag}, {_snapshotDigest})"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: ssh -p {_environment.SshPort} {_promote.SshUser}@127.0.0.1 sh -s <<'BOOK_SHOP_SCRIPT'    # roll out {_dev.Reference("v0.1.0")}"));
        Assert.That(result.StandardOutput, Does.Contain("\nk apply --namespace \"$namespace\" --filename \"$manifests\""));
        Assert.That(result.StandardOutput, Does.Contain($"\nimage='{_dev.Reference("v0.1.0")}@{_snapshotDigest}'"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: ssh -p {_environment.SshPort} {_promote.SshUser}@127.0.0.1 sh -s <<'BOOK_SHOP_SCRIPT'    # check that NodePort 30080 serves v0.1.0 from {_snapshotDigest}"));
        Assert.That(result.StandardOutput, Does.Contain($"\nwant_commit='\"commit\": \"{_snapshotSha}\"'"));

        var github = await _promote.GitHub();
        Assert.That(github.GetProperty("refs").EnumerateObject().Count(), Is.Zero);
        Assert.That(github.GetProperty("releases").GetArrayLength(), Is.Zero);
        // generate-notes is a POST that GitHub documents as saving nothing: the plan asks it for the real notes.
        Assert.That(github.GetProperty("requests").EnumerateArray().Select(r => r.GetString())
            .Where(r => !r!.StartsWith("GET ") && !r.StartsWith("POST /repos/{owner}/{repo}/releases/generate-notes ")), Is.Empty);
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.Null);
        Assert.That(_promote.Deployment(), Is.Null, "nothing was applied");
    }

    public static IEnumerable<TestCaseData> Refusals()
    {
        yield return new TestCaseData("format", "0.1.0-SNAPSHOT-ABCDEF1").SetArgDisplayNames("format");
        yield return new TestCaseData("version", null).SetArgDisplayNames("version mismatch");
        yield return new TestCaseData("ancestor", null).SetArgDisplayNames("not an ancestor");
        yield return new TestCaseData("drift", null).SetArgDisplayNames("tree drift");
        yield return new TestCaseData("missing", null).SetArgDisplayNames("image missing");
        yield return new TestCaseData("digest", null).SetArgDisplayNames("digest mismatch");
    }

    [TestCaseSource(nameof(Refusals))]
    public async Task EveryRefusalStopsBeforeAnythingIsCreated(string kind, string? tag)
    {
        var main = _app.CurrentBranch;
        string[] args;
        string expected;
        switch (kind)
        {
            case "format":
                args = [$"--snapshot-tag={tag}"];
                expected = $"--snapshot-tag / SNAPSHOT_TAG: \"{tag}\" is not a snapshot tag X.Y.Z-SNAPSHOT-<7 lower-case hex>";
                break;
            case "version":
                args = [$"--snapshot-tag=0.2.0-SNAPSHOT-{_snapshotSha[..7]}"];
                expected = $"Error: ResolveSnapshot: The snapshot 0.2.0-SNAPSHOT-{_snapshotSha[..7]} is version 0.2.0, but pyproject.toml on this commit says 0.1.0: promote a snapshot built from version 0.1.0.";
                break;
            case "ancestor":
                _app.StartBranch("side");
                var side = _app.Commit("src/book_shop/side.py", "SIDE = True\n");
                _app.Checkout(main);
                args = [$"--snapshot-tag=0.1.0-SNAPSHOT-{side[..7]}"];
                expected = $"Error: ResolveSnapshot: The snapshot's commit {side[..7]} is not HEAD ({_app.Sha[..7]}) or one of its ancestors: merge the dev branch that built it before promoting, or promote a snapshot of this branch.";
                break;
            case "drift":
                var drifted = _app.Commit("src/book_shop/hotfix.py", "HOTFIX = True\n");
                args = ["--snapshot-file=artifacts/snapshot.json"];
                expected = $"Error: ResolveSnapshot: HEAD ({drifted[..7]}) carries code the snapshot {_snapshotSha[..7]} was not built from (src/book_shop/hotfix.py): let dev build and test this code first, then promote its snapshot.";
                break;
            case "missing":
                args = [$"--snapshot-tag=0.1.0-SNAPSHOT-{_app.Sha[..7]}"];
                expected = $"Error: ResolveSnapshot: {_dev.Reference($"0.1.0-SNAPSHOT-{_app.Sha[..7]}")} is not in the registry: Dev has not pushed this snapshot (or it was deleted); run Dev for its commit first.";
                break;
            default:
                var record = _app.Read("artifacts/snapshot.json").Replace(_snapshotDigest, "sha256:" + new string('0', 64));
                File.WriteAllText(Path.Combine(_app.Root, "artifacts", "tampered.json"), record);
                args = ["--snapshot-file=artifacts/tampered.json"];
                expected = $"Error: ResolveSnapshot: {_dev.Reference(SnapshotTag)} now names {_snapshotDigest}, not the tested sha256:{new string('0', 64)} of the record: the tag was overwritten; refusing to release an untested image.";
                break;
        }

        var result = HostProcess.Run(_app.Root, _promote.Environment(), ["--target=Promote", .. args]);

        Assert.That(result.ExitCode, Is.Not.Zero);
        if (kind == "format") Assert.That(result.AllOutput, Does.Contain(expected));
        else Assert.That(result.LastErrorLine, Is.EqualTo(expected));
        Assert.That(result.AllOutput, Does.Not.Contain("   at "));
        var github = await _promote.GitHub();
        Assert.That(github.TryGetProperty("requests", out var requests) ? requests.GetArrayLength() : 0, Is.Zero, "GitHub was not even asked");
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.Null);
        Assert.That(_promote.Deployment(), Is.Null, "nothing was applied");
    }
}
