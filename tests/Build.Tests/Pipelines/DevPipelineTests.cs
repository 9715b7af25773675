using Pipeline.Tests.Support;

namespace Pipeline.Tests.Pipelines;

/// <summary>
/// ./build.sh --target=Dev as a user runs it, against a real Docker engine, registry (htpasswd),
/// OpenSSH server and the ECR Public double, with the effects checked where they land.
/// </summary>
[NonParallelizable]
public sealed class DevPipelineTests
{
    private TestEnvironment _environment = null!;
    private AppRepository _app = null!;
    private DevRun _run = null!;

    [SetUp]
    public void Start()
    {
        _environment = TestEnvironment.Require();
        _app = new AppRepository();
        _run = new DevRun(_environment);
    }

    [TearDown]
    public void Clean()
    {
        _run?.Clean();
        _app?.Dispose();
    }

    private string SnapshotTag => $"0.1.0-SNAPSHOT-{_app.ShortSha}";

    [Test]
    public async Task PushesTheSnapshotThenDeploysWhatTheRegistryHolds()
    {
        var pushed = HostProcess.Run(_app.Root, _run.Environment(), "--target=Push");
        Assert.That(pushed.ExitCode, Is.Zero, pushed.AllOutput);
        var digest = await _run.RegistryDigest(SnapshotTag);
        Assert.That(digest, Does.Match("^sha256:[0-9a-f]{64}$"));
        Assert.That(_app.Read("artifacts/snapshot.json"), Does.Contain($"\"digest\": \"{digest}\"").And.Contain($"\"image\": \"{_run.Reference(SnapshotTag)}\"")
            .And.Contain($"\"commit\": \"{_app.Sha}\"").And.Contain("\"runUrl\": \"https://github.com/example/book-shop/actions/runs/4242\""));

        // Without a local copy, the host's pull must really come from the registry.
        DockerEngine.Succeed("image", "rm", _run.Reference(SnapshotTag));
        var deployed = HostProcess.Run(_app.Root, _run.Environment(), "--target=Dev");

        Assert.That(deployed.ExitCode, Is.Zero, deployed.AllOutput);
        Assert.That(deployed.StandardOutput, Does.Contain($"Skipping: {_run.Reference(SnapshotTag)} is already in the registry as {digest}"));
        Assert.That(deployed.StandardOutput, Does.Contain($"[127.0.0.1] pulling {_run.Reference(SnapshotTag)}"));
        Assert.That(await _run.Version(), Is.EqualTo($"{{\"version\": \"0.1.0\", \"commit\": \"{_app.Sha}\"}}"));
        Assert.That(DockerEngine.Succeed("inspect", "--format", "{{.Config.Image}}", _run.Container), Is.EqualTo(_run.Reference(SnapshotTag)));
        Assert.That(File.ReadAllLines(_run.Output), Is.SupersetOf(new[] { $"snapshot-tag={SnapshotTag}", $"image={_run.Reference(SnapshotTag)}", $"digest={digest}" }));
        Assert.That(File.ReadAllText(_run.Summary), Does.Contain($"| digest | `{digest}` |").And.Contain($"| commit | `{_app.Sha}` |"));

        AssertNoSecretIn(pushed, deployed);
    }

    [Test]
    public async Task ARerunOnTheSameCommitKeepsTheDigestAndNeverPushesADifferentLocalImage()
    {
        var first = HostProcess.Run(_app.Root, _run.Environment(), "--target=Dev");
        Assert.That(first.ExitCode, Is.Zero, first.AllOutput);
        var digest = await _run.RegistryDigest(SnapshotTag);

        // Another image under the snapshot's name on this machine (a rebuild, a mix-up).
        DockerEngine.Succeed("tag", _environment.BaseImage, _run.Reference(SnapshotTag));
        var second = HostProcess.Run(_app.Root, _run.Environment(), "--target=Dev");

        Assert.That(second.ExitCode, Is.Zero, second.AllOutput);
        Assert.That(await _run.RegistryDigest(SnapshotTag), Is.EqualTo(digest));
        Assert.That(second.StandardOutput, Does.Not.Contain("> docker push"));
        Assert.That(await _run.Version(), Does.Contain(_app.Sha));
        AssertNoSecretIn(first, second);
    }

    [Test]
    public async Task AnUnhealthyImageLeavesThePreviousVersionServingAndTheRunFails()
    {
        var good = HostProcess.Run(_app.Root, _run.Environment(), "--target=Dev");
        Assert.That(good.ExitCode, Is.Zero, good.AllOutput);
        var goodSha = _app.Sha;

        var server = _app.Read("src/book_shop/server.py").Replace("if self.store.is_healthy():", "if False:");
        _app.Commit("src/book_shop/server.py", server);
        var bad = HostProcess.Run(_app.Root, _run.Environment(), "--target=Dev");

        Assert.That(bad.ExitCode, Is.Not.Zero);
        Assert.That(bad.AllOutput, Does.Contain($"{_run.Container} did not answer /healthz and /version with this build within 20s"));
        Assert.That(bad.AllOutput, Does.Contain($"rolled back: {_run.Container} runs {_run.Reference($"0.1.0-SNAPSHOT-{goodSha[..7]}")} again"));
        Assert.That(bad.LastErrorLine, Does.StartWith($"Error: `ssh {_environment.SshUser}@127.0.0.1:{_environment.SshPort} (replace {_run.Container})` failed with exit code 1"));
        Assert.That(await _run.Version(), Is.EqualTo($"{{\"version\": \"0.1.0\", \"commit\": \"{goodSha}\"}}"));
        // The image exists, so its record is kept for whoever looks at the failure.
        Assert.That(_app.Read("artifacts/snapshot.json"), Does.Contain(_app.Sha));
        AssertNoSecretIn(good, bad);
    }

    [Test]
    public void AWrongHostKeyIsRefusedBeforeAnyCommandRuns()
    {
        var otherKey = "127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINvjvplaidptsQI4KxxVGQvwlzT5ER0qeo7kzYWjnEdh";

        var result = HostProcess.Run(_app.Root, _run.Environment(otherKey), "--target=Dev");

        Assert.That(result.ExitCode, Is.Not.Zero);
        var offered = Pipeline.Remote.HostKeyPin.Parse(_environment.SshHostKeyLine);
        Assert.That(result.LastErrorLine, Is.EqualTo(
            $"Error: The host key of 127.0.0.1:{_environment.SshPort} is {offered}, not SHA256:7SbEiTfM+epxoCMeWlI7ZQ26OhyQH9GTWg3nWWJnPOs as EC2_HOST_KEY pins it: refused before sending anything. If the host was rebuilt, take its new key from its console."));
        Assert.That(File.Exists($"/tmp/book-shop-deploy-{_run.Container}.lock"), Is.False, "the deploy script must not have started");
        Assert.That(DockerEngine.Run("inspect", _run.Container).ExitCode, Is.Not.Zero, "no container may have been created");
    }

    [Test]
    public async Task ADryRunPrintsTheWholePlanAndChangesNothing()
    {
        static string[] Sorted(string lines) => lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToArray();
        var images = Sorted(DockerEngine.Succeed("images", "--all", "--quiet", "--no-trunc"));
        var containers = Sorted(DockerEngine.Succeed("ps", "--all", "--quiet", "--no-trunc"));
        var tokensIssued = File.Exists(_environment.EcrLog) ? File.ReadAllText(_environment.EcrLog) : "";

        var result = HostProcess.Run(_app.Root, _run.Environment(), "--target=Dev", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: POST {_environment.EcrEndpoint}/ X-Amz-Target: SpencerFrontendService.GetAuthorizationToken"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: docker login --username \"AWS\" --password-stdin \"{_environment.Registry}\" < [REDACTED]"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: docker build --tag \"{_run.Reference(SnapshotTag)}\" --build-arg \"VERSION=0.1.0\" --build-arg \"COMMIT={_app.Sha}\""));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: docker push \"{_run.Reference(SnapshotTag)}\""));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: ssh {_environment.SshUser}@127.0.0.1:{_environment.SshPort} (replace {_run.Container}"));
        Assert.That(result.StandardOutput, Does.Contain($"    | image='{_run.Reference(SnapshotTag)}'"));
        Assert.That(result.StandardOutput, Does.Contain("Dry run: nothing was executed; 5 action(s) planned above."));

        Assert.That(Sorted(DockerEngine.Succeed("images", "--all", "--quiet", "--no-trunc")), Is.EqualTo(images));
        Assert.That(Sorted(DockerEngine.Succeed("ps", "--all", "--quiet", "--no-trunc")), Is.EqualTo(containers));
        Assert.That(await _run.RegistryDigest(SnapshotTag), Is.Null);
        Assert.That(File.Exists(_environment.EcrLog) ? File.ReadAllText(_environment.EcrLog) : "", Is.EqualTo(tokensIssued));
        Assert.That(File.Exists(Path.Combine(_app.Root, "artifacts", "snapshot.json")), Is.False);
        AssertNoSecretIn(result);
    }

    private void AssertNoSecretIn(params HostResult[] results) => Secrets.AssertNoneIn(_run, _app, _run.SecretValues(), results);
}

/// <summary>Dev's failure paths and concurrent deploys, with the secrets scan on every output.</summary>
[NonParallelizable]
public sealed class DevFailureTests
{
    private TestEnvironment _environment = null!;
    private AppRepository _app = null!;
    private DevRun _run = null!;

    [SetUp]
    public void Start()
    {
        _environment = TestEnvironment.Require();
        _app = new AppRepository();
        _run = new DevRun(_environment);
    }

    [TearDown]
    public void Clean()
    {
        _run?.Clean();
        _app?.Dispose();
    }

    [Test]
    public void AFailingLoginFailsClearlyAndLeaksNothing()
    {
        var settings = _run.Environment();
        settings["AWS_SECRET_ACCESS_KEY"] = "wrongSecretKeyForTheLoginFailure1234567890";

        var result = HostProcess.Run(_app.Root, settings, "--target=Dev");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Does.StartWith("Error: ECR Public refused GetAuthorizationToken with 403: InvalidSignatureException"));
        Secrets.AssertNoneIn(_run, _app, [.. _run.SecretValues(), "wrongSecretKeyForTheLoginFailure1234567890"], result);
    }

    [Test]
    public void AFailingPushFailsAtOnceAndLeaksNothing()
    {
        // The registry refuses blob uploads (403, not a transient fault): docker push fails.
        using var registry = new FaultProxy($"http://{_environment.Registry}/",
            (_, request) => request.Path.Contains("/blobs/uploads", StringComparison.Ordinal) ? Fault.Forbidden : Fault.None);
        var settings = _run.Environment();
        settings["REGISTRY"] = $"127.0.0.1:{registry.Port}";

        var result = HostProcess.Run(_app.Root, settings, "--target=Dev");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Does.StartWith($"Error: `docker push \"127.0.0.1:{registry.Port}/{_run.Repository}:0.1.0-SNAPSHOT-{_app.ShortSha}\"` failed with exit code 1"));
        Assert.That(result.StandardOutput, Does.Not.Contain("a transient failure; retry"));
        Assert.That(File.Exists(Path.Combine(_app.Root, "artifacts", "snapshot.json")), Is.False, "nothing was pushed, so no record");
        Secrets.AssertNoneIn(_run, _app, _run.SecretValues(), result);
        DockerEngine.Run("image", "rm", "--force", $"127.0.0.1:{registry.Port}/{_run.Repository}:0.1.0-SNAPSHOT-{_app.ShortSha}");
    }

    [Test]
    public void AFailingDeployFailsClearlyAndLeaksNothing()
    {
        var settings = _run.Environment();
        settings["HEALTH_PATH"] = "/not-there";
        settings["HEALTH_TIMEOUT"] = "3s";

        var result = HostProcess.Run(_app.Root, settings, "--target=Dev");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.AllOutput, Does.Contain($"{_run.Container} did not answer /not-there and /version with this build within 3s"));
        Assert.That(File.ReadAllText(Path.Combine(_app.Root, "artifacts", "snapshot.json")), Does.Contain(_app.Sha), "the image exists, so its record is kept");
        Secrets.AssertNoneIn(_run, _app, _run.SecretValues(), result);
    }

    [Test]
    public async Task TwoDeploysStartedTogetherEndWithTheLaterImageAndNoErrorButTheWait()
    {
        // The first build starts slowly, so that its deploy surely holds the lock when the second comes.
        var slow = _app.Read("src/book_shop/__main__.py").Replace("def main():\n", "def main():\n    import time; time.sleep(4)\n");
        _app.Commit("src/book_shop/__main__.py", slow);
        using var other = new AppRepository();
        other.Commit("src/book_shop/__init__.py", "\"\"\"book-shop, the later build.\"\"\"\n");
        Assert.That(HostProcess.Run(_app.Root, _run.Environment(), "--target=Push").ExitCode, Is.Zero);
        Assert.That(HostProcess.Run(other.Root, _run.Environment(), "--target=Push").ExitCode, Is.Zero);
        var lockFile = $"/tmp/book-shop-deploy-{_run.Container}.lock";

        var first = Task.Run(() => HostProcess.Run(_app.Root, _run.Environment(), "--target=DeployDev"));
        for (var waited = 0; !File.Exists(lockFile) && waited < 300; waited++) await Task.Delay(100);
        var later = Task.Run(() => HostProcess.Run(other.Root, _run.Environment(), "--target=DeployDev"));
        var results = await Task.WhenAll(first, later);

        Assert.That(results[0].ExitCode, Is.Zero, results[0].AllOutput);
        Assert.That(results[1].ExitCode, Is.Zero, results[1].AllOutput);
        Assert.That(results[1].StandardOutput, Does.Contain($"[127.0.0.1] waiting for another deploy of {_run.Container} to finish"));
        Assert.That(await _run.Version(), Does.Contain(other.Sha), "dev-app runs the later image");
    }
}

/// <summary>The secrets scan: stdout, stderr, artifacts/, the step summary and the job outputs.</summary>
public static class Secrets
{
    public static void AssertNoneIn(DevRun run, AppRepository app, IEnumerable<string> secrets, params HostResult[] results)
    {
        // The runner consumes ::add-mask:: commands and never shows them; nothing else may carry a secret.
        static string Visible(string text) => string.Join('\n', text.Split('\n').Where(line => !line.StartsWith("::add-mask::", StringComparison.Ordinal)));
        var artifacts = Path.Combine(app.Root, "artifacts");
        var texts = results.SelectMany(result => new[] { Visible(result.StandardOutput), result.StandardError })
            .Concat(Directory.Exists(artifacts) ? Directory.GetFiles(artifacts, "*", SearchOption.AllDirectories).Select(File.ReadAllText) : [])
            .Concat(new[] { run.Output, run.Summary }.Where(File.Exists).Select(File.ReadAllText))
            .ToList();
        foreach (var secret in secrets)
        {
            Assert.That(texts.Any(text => text.Contains(secret, StringComparison.Ordinal)), Is.False, $"a secret ({secret.Length} characters, starting {secret[..3]}) leaked");
        }
    }
}
