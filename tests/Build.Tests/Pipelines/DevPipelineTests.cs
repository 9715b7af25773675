using Pipeline.Tests.Support;

namespace Pipeline.Tests.Pipelines;

/// <summary>
/// ./build.sh --target=Dev as a user runs it, against a real Docker engine, registry (htpasswd),
/// OpenSSH server and the ECR Public double, with the effects checked where they land.
/// </summary>
[NonParallelizable]
[Category(TestTiers.EndToEnd)]
public sealed class DevPipelineTests : DevFixture
{
    private string SnapshotTag => $"0.1.0-SNAPSHOT-{App.ShortSha}";

    [Test]
    public async Task PushesTheSnapshotThenDeploysWhatTheRegistryHolds()
    {
        var pushed = HostProcess.Run(App.Root, Run.Environment(), "--target=Push");
        Assert.That(pushed.ExitCode, Is.Zero, pushed.AllOutput);
        var digest = await Run.RegistryDigest(SnapshotTag);
        Assert.That(digest, Does.Match("^sha256:[0-9a-f]{64}$"));

        // Push again on the same commit: nothing left to do is success, and the tag is untouched.
        var again = HostProcess.Run(App.Root, Run.Environment(), "--target=Push");
        Assert.That(again.ExitCode, Is.Zero, again.AllOutput);
        Assert.That(again.StandardOutput, Does.Contain($"Skipping: {Run.Reference(SnapshotTag)} is already in the registry as {digest}"));
        Assert.That(again.StandardOutput, Does.Not.Contain("> docker push"));
        Assert.That(await Run.RegistryDigest(SnapshotTag), Is.EqualTo(digest));
        Assert.That(App.Read("artifacts/snapshot.json"), Does.Contain($"\"digest\": \"{digest}\"").And.Contain($"\"image\": \"{Run.Reference(SnapshotTag)}\"")
            .And.Contain($"\"commit\": \"{App.Sha}\"").And.Contain("\"runUrl\": \"https://github.com/example/book-shop/actions/runs/4242\""));

        // Without a local copy, the host's pull must really come from the registry.
        Assert.That(DockerEngine.RemoveImages(Run.Reference(SnapshotTag)).ExitCode, Is.Zero);
        var logins = Environment.SshLogins(Environment.SshUser);
        var deployed = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");

        Assert.That(deployed.ExitCode, Is.Zero, deployed.AllOutput);
        Assert.That(Environment.SshLogins(Environment.SshUser) - logins, Is.EqualTo(1), "one SSH connection for the run");
        Assert.That(deployed.StandardOutput, Does.Contain($"Skipping: {Run.Reference(SnapshotTag)} is already in the registry as {digest}"));
        Assert.That(deployed.StandardOutput, Does.Contain($"[127.0.0.1] pulling {Run.Reference(SnapshotTag)}"));
        Assert.That(await Run.Version(), Is.EqualTo($"{{\"version\": \"0.1.0\", \"commit\": \"{App.Sha}\"}}"));
        Assert.That(DockerEngine.Succeed("inspect", "--format", "{{.Config.Image}}", Run.Container), Is.EqualTo(Run.Reference(SnapshotTag)));
        Assert.That(File.ReadAllLines(Run.Output), Is.SupersetOf(new[] { $"snapshot-tag={SnapshotTag}", $"image={Run.Reference(SnapshotTag)}", $"digest={digest}" }));
        Assert.That(File.ReadAllText(Run.Summary), Does.Contain($"| digest | `{digest}` |").And.Contain($"| commit | `{App.Sha}` |"));

        AssertNoSecretIn(pushed, deployed);
    }

    /// <summary>
    /// The snapshot tag pushed over by hand (another image: the same layers, another config) is
    /// refused by a re-run's DeployDev before the host is touched: unsigned, signed by another key,
    /// or carrying the signature copied from the tested image. dev-app runs on.
    /// </summary>
    [Test]
    public async Task ATagPushedOverByHandIsRefusedBeforeTheHostIsTouchedWhateverSignatureItCarries()
    {
        var deployed = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");
        Assert.That(deployed.ExitCode, Is.Zero, deployed.AllOutput);
        var digest = (await Run.RegistryDigest(SnapshotTag))!;
        var running = DockerEngine.Succeed("inspect", "--format", "{{.Image}}", Run.Container);
        var repository = $"{Environment.Registry}/{Run.Repository}";
        using var registry = new RegistryHttp(Environment, Run.Repository);
        var byHand = await registry.PutVariant(SnapshotTag, SnapshotTag, "pushed over by hand");

        void AssertRefused(string found, string python)
        {
            var result = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.LastErrorLine, Is.EqualTo($"Error: DeployDev: Refusing {repository}@{byHand}: {found}; only images this pipeline built and signed are deployed. "
                + "Deploy an image Dev pushed and signed, or sign this one with the key of cosign.pub (README: Signing)."));
            Assert.That(result.StandardOutput, Does.Not.Contain("[127.0.0.1]"), "no script ran on the host");
            Assert.That(DockerEngine.Succeed("inspect", "--format", "{{.Image}}", Run.Container), Is.EqualTo(running));
            Assert.That(registry.VerifyInPython(byHand).Output, Does.StartWith(python + ":"), "the second verifier agrees");
            AssertNoSecretIn(result);
        }

        AssertRefused($"no signature ({byHand.Replace(':', '-')}.sig is not in the registry)", "no-signature");
        await registry.SignWith(TestKeys.OtherKeyFile, byHand);
        AssertRefused("1 signature(s), none by a key of cosign.pub (3b9c42797f530dc9)", "other-key");
        await registry.CopySignature(digest, byHand);
        AssertRefused($"key 3b9c42797f530dc9's signature names {digest}, another image", "other-digest");
        Assert.That(await Run.Version(), Is.EqualTo($"{{\"version\": \"0.1.0\", \"commit\": \"{App.Sha}\"}}"));
        AssertNoSecretIn(deployed);
    }

    // Every snapshot has a tag of its own: pruning dangling images alone never frees a deployed one,
    // and the disk MicroK8s shares fills. The host keeps what a rollback needs, nothing older.
    [Test]
    public void AfterEachDeployTheHostKeepsTheRunningImageAndTheOneBeforeItOnly()
    {
        var tags = new List<string>();
        for (var deploy = 1; deploy <= 3; deploy++)
        {
            if (deploy > 1) App.Commit("src/book_shop/__init__.py", $"\"\"\"book-shop: a small book catalogue (deploy {deploy}).\"\"\"\n");
            tags.Add(SnapshotTag);
            var result = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");
            Assert.That(result.ExitCode, Is.Zero, result.AllOutput);

            var kept = DockerEngine.Succeed("image", "ls", "--format", "{{.Tag}}", $"{Environment.Registry}/{Run.Repository}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(kept, Is.EquivalentTo(tags.TakeLast(2)), $"after deploy {deploy}");
        }
        Assert.That(DockerEngine.Succeed("inspect", "--format", "{{.Config.Image}}", Run.Container), Is.EqualTo(Run.Reference(tags[^1])));
    }

    [Test]
    public async Task ARerunOnTheSameCommitKeepsTheDigestAndNeverPushesADifferentLocalImage()
    {
        var first = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");
        Assert.That(first.ExitCode, Is.Zero, first.AllOutput);
        var digest = await Run.RegistryDigest(SnapshotTag);

        // Another image under the snapshot's name on this machine (a rebuild, a mix-up).
        DockerEngine.Succeed("tag", Environment.BaseImage, Run.Reference(SnapshotTag));
        var second = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");

        Assert.That(second.ExitCode, Is.Zero, second.AllOutput);
        Assert.That(await Run.RegistryDigest(SnapshotTag), Is.EqualTo(digest));
        Assert.That(second.StandardOutput, Does.Not.Contain("> docker push"));
        Assert.That(await Run.Version(), Does.Contain(App.Sha));
        AssertNoSecretIn(first, second);
    }

    [Test]
    public async Task AnUnhealthyImageLeavesThePreviousVersionServingAndTheRunFails()
    {
        var good = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");
        Assert.That(good.ExitCode, Is.Zero, good.AllOutput);
        var goodSha = App.Sha;

        var server = App.Read("src/book_shop/server.py").Replace("if self.store.is_healthy():", "if False:");
        App.Commit("src/book_shop/server.py", server);
        var bad = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");

        Assert.That(bad.ExitCode, Is.Not.Zero);
        Assert.That(bad.AllOutput, Does.Contain($"{Run.Container}-next did not answer /healthz and /version with this build within 20s"));
        Assert.That(bad.AllOutput, Does.Contain($"the new build never took traffic; {Run.Container} still runs {Run.Reference($"0.1.0-SNAPSHOT-{goodSha[..7]}")}"));
        Assert.That(DockerEngine.Run("inspect", $"{Run.Container}-next").ExitCode, Is.Not.Zero, "the backup container is gone");
        Assert.That(bad.LastErrorLine, Does.StartWith($"Error: DeployDev: `ssh {Environment.SshUser}@127.0.0.1:{Environment.SshPort} (replace {Run.Container})` failed with exit code 1"));
        Assert.That(await Run.Version(), Is.EqualTo($"{{\"version\": \"0.1.0\", \"commit\": \"{goodSha}\"}}"));
        // The image exists, so its record is kept for whoever looks at the failure.
        Assert.That(App.Read("artifacts/snapshot.json"), Does.Contain(App.Sha));
        AssertNoSecretIn(good, bad);
    }

    [Test]
    public void AWrongHostKeyIsRefusedBeforeAnyCommandRuns()
    {
        var otherKey = "127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINvjvplaidptsQI4KxxVGQvwlzT5ER0qeo7kzYWjnEdh";

        var result = HostProcess.Run(App.Root, Run.Environment(otherKey), "--target=Dev");

        Assert.That(result.ExitCode, Is.Not.Zero);
        var offered = Pipeline.Remote.HostKeyPin.Parse(Environment.SshHostKeyLine);
        Assert.That(result.LastErrorLine, Is.EqualTo(
            $"Error: DeployDev: The host key of 127.0.0.1:{Environment.SshPort} is {offered} (ssh-ed25519), not SHA256:7SbEiTfM+epxoCMeWlI7ZQ26OhyQH9GTWg3nWWJnPOs as EC2_HOST_KEY pins it: refused before sending anything. If the host was rebuilt, take its new key from its console."));
        Assert.That(File.Exists($"/tmp/book-shop-deploy-{Run.Container}.lock"), Is.False, "the deploy script must not have started");
        Assert.That(DockerEngine.Run("inspect", Run.Container).ExitCode, Is.Not.Zero, "no container may have been created");
    }

    [Test]
    public async Task ADryRunPrintsTheWholePlanAndChangesNothing()
    {
        static string[] Sorted(string lines) => lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToArray();
        // This test's own: the end-to-end processes beside it build and run images of their own meanwhile.
        string[] Images() => Sorted(DockerEngine.Succeed("images", "--all", "--quiet", "--no-trunc", "--filter", $"reference={Environment.Registry}/{Run.Repository}"));
        string[] Containers() => Sorted(DockerEngine.Succeed("ps", "--all", "--quiet", "--no-trunc", "--filter", $"name={Run.Container}"));
        var images = Images();
        var containers = Containers();
        // ECR Public's double is shared with the processes beside this one: this run reaches it
        // through a proxy of its own, which counts what it was asked.
        using var ecr = new FaultProxy($"{Environment.EcrEndpoint}/", (_, _) => Fault.None);
        var settings = Run.Environment();
        settings["AWS_ENDPOINT_URL_ECR_PUBLIC"] = $"http://127.0.0.1:{ecr.Port}";

        var logins = Environment.SshLogins(Environment.SshUser);
        var result = HostProcess.Run(App.Root, settings, "--target=Dev", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(Environment.SshLogins(Environment.SshUser), Is.EqualTo(logins), "a dry run does not even connect");
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: POST http://127.0.0.1:{ecr.Port}/ X-Amz-Target: SpencerFrontendService.GetAuthorizationToken"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: docker login --username \"AWS\" --password-stdin \"{Environment.Registry}\" < [REDACTED]"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: docker build --tag \"{Run.Reference(SnapshotTag)}\" --build-arg \"VERSION=0.1.0\" --build-arg \"COMMIT={App.Sha}\""));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: docker push \"{Run.Reference(SnapshotTag)}\""));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: ssh -p {Environment.SshPort} {Environment.SshUser}@127.0.0.1 sh -s <<'BOOK_SHOP_SCRIPT'    # replace {Run.Container}"));
        Assert.That(result.StandardOutput, Does.Contain($"\nimage='{Run.Reference(SnapshotTag)}'"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: ssh -p {Environment.SshPort} {Environment.SshUser}@127.0.0.1 sh -s <<'BOOK_SHOP_SCRIPT'    # keep the dev site {Environment.DevNginxSite} the repository's"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: ssh -p {Environment.SshPort} {Environment.SshUser}@127.0.0.1 sh -s <<'BOOK_SHOP_SCRIPT'    # read what {Run.Container} runs"));
        Assert.That(result.StandardOutput, Does.Contain($"[dry-run] would run: sign {Environment.Registry}/{Run.Repository}@<the digest the registry reports after the push> with key "));
        Assert.That(result.StandardOutput, Does.Contain($"The plan verifies the signature of {Environment.Registry}/{Run.Repository}@<the digest the registry reports after the push> with cosign.pub ("));
        Assert.That(result.StandardOutput, Does.Contain("Dry run: nothing was executed; 8 action(s) planned above."));

        Assert.That(Images(), Is.EqualTo(images), "no image of this repository built or pulled");
        Assert.That(Containers(), Is.EqualTo(containers), "no container of its own started");
        Assert.That(await Run.RegistryDigest(SnapshotTag), Is.Null);
        Assert.That(ecr.Requests, Is.Empty, "no token was asked for");
        Assert.That(File.Exists(Path.Combine(App.Root, "artifacts", "snapshot.json")), Is.False);
        AssertNoSecretIn(result);
    }

    [Test]
    public void ACodeOnlyChangeOnAnEmptyEngineReusesThePreviousSnapshotsLayers()
    {
        var pushed = HostProcess.Run(App.Root, Run.Environment(), "--target=Push");
        Assert.That(pushed.ExitCode, Is.Zero, pushed.AllOutput);
        var previous = Run.Reference(SnapshotTag);
        var previousLayers = Layers(DockerEngine.Succeed("inspect", "--format", "{{json .RootFS.Layers}}", previous));

        // A fresh runner: its engine has the public base image and nothing of ours.
        using var engine = new FreshDockerEngine();
        engine.Load(Environment.BaseImage);
        App.Commit("src/book_shop/__init__.py", "\"\"\"book-shop, a code-only change.\"\"\"\n");
        var environment = Run.Environment();
        environment["DOCKER_HOST"] = engine.Host;
        var built = HostProcess.Run(App.Root, environment, "--target=Build");

        Assert.That(built.ExitCode, Is.Zero, built.AllOutput);
        Assert.That(built.StandardOutput, Does.Contain($"> docker pull \"{previous}\""));
        Assert.That(built.StandardOutput, Does.Contain($"> docker build --tag \"{Run.Reference(SnapshotTag)}\" --cache-from \"{previous}\""));
        var layers = Layers(engine.Succeed("inspect", "--format", "{{json .RootFS.Layers}}", Run.Reference(SnapshotTag)));
        // The same layers, byte for byte, up to the code's: a cold build would write the user and
        // dependency layers anew (new file times, new digests).
        Assert.That(layers, Has.Count.EqualTo(previousLayers.Count));
        Assert.That(layers.SkipLast(1).ToList(), Is.EqualTo(previousLayers.SkipLast(1).ToList()), "every layer below the code is the previous snapshot's");
        Assert.That(layers[^1], Is.Not.EqualTo(previousLayers[^1]), "the code layer is new");
    }

    [Test]
    public void ARegistryThatCannotListItsTagsGetsAWarningAndAPlainBuild()
    {
        var pushed = HostProcess.Run(App.Root, Run.Environment(), "--target=Push");
        Assert.That(pushed.ExitCode, Is.Zero, pushed.AllOutput);
        // The same registry behind a proxy that refuses only tags/list: the snapshot checks pass.
        using var registry = new FaultProxy($"http://{Environment.Registry}/",
            (_, request) => request.Path.Contains("/tags/list", StringComparison.Ordinal) ? Fault.Forbidden : Fault.None);
        var settings = Run.Environment();
        settings["REGISTRY"] = $"127.0.0.1:{registry.Port}";
        App.Commit("src/book_shop/__init__.py", "\"\"\"book-shop, a code-only change.\"\"\"\n");

        var built = HostProcess.Run(App.Root, settings, "--target=Build");

        Assert.That(built.ExitCode, Is.Zero, built.AllOutput);
        Assert.That(built.AllOutput, Does.Contain("Could not list the registry's tags (").And.Contain("building without the previous snapshot's layers."));
        Assert.That(built.StandardOutput, Does.Contain($"> docker build --tag \"127.0.0.1:{registry.Port}/{Run.Repository}:{SnapshotTag}\" --build-arg"), "no --cache-from");
        DockerEngine.RemoveImages($"127.0.0.1:{registry.Port}/{Run.Repository}:{SnapshotTag}");
    }

    private static List<string> Layers(string json) => System.Text.Json.JsonSerializer.Deserialize<List<string>>(json)!;

    private void AssertNoSecretIn(params HostResult[] results) => Secrets.AssertNoneIn(Run, App, Run.SecretValues(), results);
}

/// <summary>Dev's failure paths and concurrent deploys, with the secrets scan on every output.</summary>
[NonParallelizable]
[Category(TestTiers.EndToEnd)]
public sealed class DevFailureTests : DevFixture
{
    [Test]
    public void AFailingLoginFailsClearlyAndLeaksNothing()
    {
        var settings = Run.Environment();
        settings["AWS_SECRET_ACCESS_KEY"] = "wrongSecretKeyForTheLoginFailure1234567890";

        var result = HostProcess.Run(App.Root, settings, "--target=Dev");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Does.StartWith("Error: Login: ECR Public refused GetAuthorizationToken with 403: InvalidSignatureException"));
        Secrets.AssertNoneIn(Run, App, [.. Run.SecretValues(), "wrongSecretKeyForTheLoginFailure1234567890"], result);
    }

    [Test]
    public void AFailingPushFailsAtOnceAndLeaksNothing()
    {
        // The registry refuses blob uploads (403, not a transient fault): docker push fails.
        using var registry = new FaultProxy($"http://{Environment.Registry}/",
            (_, request) => request.Path.Contains("/blobs/uploads", StringComparison.Ordinal) ? Fault.Forbidden : Fault.None);
        var settings = Run.Environment();
        settings["REGISTRY"] = $"127.0.0.1:{registry.Port}";

        var result = HostProcess.Run(App.Root, settings, "--target=Dev");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Does.StartWith($"Error: Push: `docker push \"127.0.0.1:{registry.Port}/{Run.Repository}:0.1.0-SNAPSHOT-{App.ShortSha}\"` failed with exit code 1"));
        Assert.That(result.StandardOutput, Does.Not.Contain("a transient failure; retry"));
        Assert.That(File.Exists(Path.Combine(App.Root, "artifacts", "snapshot.json")), Is.False, "nothing was pushed, so no record");
        // The SSH connection opened ahead of the deploy sent nothing.
        Assert.That(File.Exists($"/tmp/book-shop-deploy-{Run.Container}.lock"), Is.False, "the deploy script never ran");
        Assert.That(DockerEngine.Run("inspect", Run.Container).ExitCode, Is.Not.Zero, "no container was created");
        Secrets.AssertNoneIn(Run, App, Run.SecretValues(), result);
        DockerEngine.RemoveImages($"127.0.0.1:{registry.Port}/{Run.Repository}:0.1.0-SNAPSHOT-{App.ShortSha}");
    }

    [Test]
    public void AFailingDeployFailsClearlyAndLeaksNothing()
    {
        var settings = Run.Environment();
        settings["HEALTH_PATH"] = "/not-there";
        settings["HEALTH_TIMEOUT"] = "3s";

        var result = HostProcess.Run(App.Root, settings, "--target=Dev");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.AllOutput, Does.Contain($"{Run.Container}-next did not answer /not-there and /version with this build within 3s"));
        Assert.That(File.ReadAllText(Path.Combine(App.Root, "artifacts", "snapshot.json")), Does.Contain(App.Sha), "the image exists, so its record is kept");
        Secrets.AssertNoneIn(Run, App, Run.SecretValues(), result);
    }

    [Test]
    public async Task TwoDeploysStartedTogetherEndWithTheLaterImageAndNoErrorButTheWait()
    {
        // The first build starts slowly, so that its deploy surely holds the lock when the second comes.
        var slow = App.Read("src/book_shop/__main__.py").Replace("def main():\n", "def main():\n    import time; time.sleep(4)\n");
        App.Commit("src/book_shop/__main__.py", slow);
        using var other = new AppRepository();
        other.Commit("src/book_shop/__init__.py", "\"\"\"book-shop, the later build.\"\"\"\n");
        Assert.That(HostProcess.Run(App.Root, Run.Environment(), "--target=Push").ExitCode, Is.Zero);
        Assert.That(HostProcess.Run(other.Root, Run.Environment(), "--target=Push").ExitCode, Is.Zero);
        var lockFile = $"/tmp/book-shop-deploy-{Run.Container}.lock";

        var first = Task.Run(() => HostProcess.Run(App.Root, Run.Environment(), "--target=DeployDev"));
        for (var waited = 0; !File.Exists(lockFile) && waited < 300; waited++) await Task.Delay(100);
        var later = Task.Run(() => HostProcess.Run(other.Root, Run.Environment(), "--target=DeployDev"));
        var results = await Task.WhenAll(first, later);

        Assert.That(results[0].ExitCode, Is.Zero, results[0].AllOutput);
        Assert.That(results[1].ExitCode, Is.Zero, results[1].AllOutput);
        Assert.That(results[1].StandardOutput, Does.Contain($"[127.0.0.1] waiting for another deploy of {Run.Container} to finish"));
        Assert.That(await Run.Version(), Does.Contain(other.Sha), "dev-app runs the later image");
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

/// <summary>An SSH session that drops in the middle of DeployDev, and a host that cannot be reached.</summary>
[NonParallelizable]
[Category(TestTiers.EndToEnd)]
public sealed class DroppedSessionTests : DevFixture
{
    [Test]
    public void AnUnreachableHostIsRetriedThenReportedWithWhatToCheck()
    {
        var settings = Run.Environment();
        var closed = FreePort.Next();
        settings["EC2_PORT"] = closed.ToString();
        settings["SSH_RETRIES"] = "2";

        var result = HostProcess.Run(App.Root, settings, "--target=DeployDev");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.AllOutput, Does.Contain("retry 1 of 2").And.Contain("retry 2 of 2"));
        Assert.That(result.LastErrorLine, Does.StartWith($"Error: DeployDev: Could not reach 127.0.0.1:{closed} over SSH ("));
        Assert.That(result.LastErrorLine, Does.EndWith("): check EC2_HOST, EC2_PORT and the security group."));
    }

    // The run opens its connection early, while Build and Push run; when that attempt meets a
    // host that never answers, it is the run's first attempt, not one more before the attempts.
    [Test]
    public async Task AHostThatNeverAnswersIsAskedOncePerAttempt()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<System.Net.Sockets.TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) accepted.Add(await silent.AcceptTcpClientAsync(stop.Token));
            }
            catch (OperationCanceledException)
            {
            }
        });
        var settings = Run.Environment();
        settings["EC2_PORT"] = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port.ToString();
        settings["SSH_RETRIES"] = "0";

        var result = HostProcess.Run(App.Root, settings, "--target=DeployDev");
        await stop.CancelAsync();
        await accepting;

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Does.StartWith($"Error: DeployDev: Could not reach 127.0.0.1:{settings["EC2_PORT"]} over SSH ("), result.AllOutput);
        Assert.That(accepted, Has.Count.EqualTo(1), "one attempt with no retries: the early one");
        foreach (var client in accepted) client.Dispose();
    }

    [Test]
    public async Task ADroppedSessionIsReportedWithTheStateTheHostWasLeftIn()
    {
        var slow = App.Read("src/book_shop/__main__.py").Replace("def main():\n", "def main():\n    import time; time.sleep(6)\n");
        App.Commit("src/book_shop/__main__.py", slow);
        Assert.That(HostProcess.Run(App.Root, Run.Environment(), "--target=Push").ExitCode, Is.Zero);
        var lockFile = $"/tmp/book-shop-deploy-{Run.Container}.lock";

        var deploy = Task.Run(() => HostProcess.Run(App.Root, Run.Environment(), "--target=DeployDev"));
        for (var waited = 0; !File.Exists(lockFile) && waited < 300; waited++) await Task.Delay(100);
        await Task.Delay(TimeSpan.FromSeconds(2));
        // The server side of the deploy user's sessions: what a dropped network leaves behind.
        Command.Run("pkill", ["-f", $"sshd: {Environment.SshUser}"]);
        var result = await deploy;

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Does.StartWith($"Error: DeployDev: `ssh {Environment.SshUser}@127.0.0.1:{Environment.SshPort} (replace {Run.Container})` failed with exit code -1: the connection dropped ("), result.AllOutput);
        Assert.That(result.LastErrorLine, Does.EndWith($"the host now reports: no {Run.Container} container | {Run.Container}-next runs {Run.Reference($"0.1.0-SNAPSHOT-{App.ShortSha}")} (running). Re-running converges."));
    }
}
