using Pipeline.Tests.Support;

namespace Pipeline.Tests.Host;

public sealed class HostTests
{
    private TempGitRepository _repository = null!;

    [SetUp]
    public void CreateRepository()
    {
        _repository = TempGitRepository.OfVersion("1.2.0");
    }

    [TearDown]
    public void DeleteRepository() => _repository.Dispose();

    [Test]
    public void RunsDependenciesInGraphOrderAndSkipsWithAReason()
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, "--target=ProbeTarget", "--verbosity=verbose");

        Assert.That(exitCode, Is.Zero, host.Output);
        // ProbeMiddle depends on ProbeStart ([IsDependentOn]) and on ProbeBefore ([IsDependeeOf] on
        // ProbeBefore); the engine puts the reverse dependency first, and skips ProbeSkipped.
        Assert.That(host.TasksRun, Is.EqualTo(new[] { "ProbeBefore", "ProbeStart", "ProbeMiddle", "ProbeTarget" }));
        Assert.That(host.Report.Single(entry => entry.TaskName == "ProbeSkipped").ExecutionStatus, Is.EqualTo(Cake.Core.CakeTaskExecutionStatus.Skipped));
        Assert.That(host.Output, Does.Contain("Skipping task: the probe is told to skip"));
    }

    [Test]
    public void ExclusiveRunsTheTargetAlone()
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, "--target=ProbeTarget", "--exclusive");

        Assert.That(exitCode, Is.Zero, host.Output);
        Assert.That(host.TasksRun, Is.EqualTo(new[] { "ProbeTarget" }));
    }

    [Test]
    public void ReadVersionRunsAlone()
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, "--target=ReadVersion");

        Assert.That(exitCode, Is.Zero, host.Output);
        Assert.That(host.TasksRun, Is.EqualTo(new[] { "ReadVersion" }));
    }

    [Test]
    public void DevRunsItsTasksInTheContractsOrder()
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, "--target=Dev", "--dry-run");

        Assert.That(exitCode, Is.Zero, host.Output);
        Assert.That(host.TasksRun, Is.EqualTo(new[] { "ReadVersion", "Login", "Build", "Push", "DeployDev", "Dev" }));
        Assert.That(host.Processes.Started, Is.Empty);
    }

    [Test]
    public void PromoteRunsItsTasksInTheContractsOrder()
    {
        var host = new InProcessHost();
        _repository.CommitTheManifests();
        using var git = new LibGit2Sharp.Repository(_repository.Root);

        var exitCode = host.Run(_repository.Root, "--target=Promote", "--dry-run", $"--snapshot-tag=1.2.0-SNAPSHOT-{git.Head.Tip.Sha[..7]}");

        Assert.That(exitCode, Is.Zero, host.Output);
        Assert.That(host.TasksRun, Is.EqualTo(new[] { "ReadVersion", "ResolveSnapshot", "Release", "Retag", "Rollout", "Promote" }));
        Assert.That(host.Processes.Started, Is.Empty);
    }

    [Test]
    public void ARealRunWithMissingSettingsStopsBeforeTheFirstTaskAndNamesThemAll()
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, "--target=Dev");

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(host.Output, Does.Contain("5 setting(s) missing or invalid for ReadVersion -> Login -> Build -> Push -> DeployDev -> Dev:"));
        Assert.That(host.Output, Does.Contain("  SIGNING_KEY: missing: set SIGNING_KEY (the private key's PEM text) or SIGNING_KEY_FILE, or turn signing off with --signing=off (every deploy then refuses the image)"));
        Assert.That(host.Output, Does.Contain("  --registry / REGISTRY: missing: pass --registry=<value> or set REGISTRY"));
        Assert.That(host.Output, Does.Contain("  --ec2-host / EC2_HOST: missing: pass --ec2-host=<value> or set EC2_HOST"));
        Assert.That(host.Output, Does.Contain("  --ec2-host-key / EC2_HOST_KEY: missing: pass --ec2-host-key=<value> or set EC2_HOST_KEY"));
        Assert.That(host.Output, Does.Contain("  EC2_SSH_KEY: missing: set EC2_SSH_KEY to the private key text, or EC2_SSH_KEY_FILE to its path"));
        Assert.That(host.TasksRun, Is.Empty);
        Assert.That(host.Processes.Started, Is.Empty);
    }

    [Test]
    public void AnInvalidSettingFailsEvenADryRun()
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, "--target=Dev", "--dry-run", "--dev-host-port=99999");

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(host.Output, Does.Contain("--dev-host-port / DEV_HOST_PORT: \"99999\" is not a port (1-65535)"));
        Assert.That(host.TasksRun, Is.Empty);
    }

    [TestCase("--dry-run")]
    [TestCase("--dryrun")]
    [TestCase("--noop")]
    [TestCase("--whatif")]
    public void EveryDryRunSpellingPrintsThePlanAndStartsNothing(string spelling)
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, "--target=ProbeTouch", spelling);

        Assert.That(exitCode, Is.Zero, host.Output);
        Assert.That(host.Processes.Started, Is.Empty);
        Assert.That(host.Output, Does.Contain($"[dry-run] would run: touch \"{Path.Combine(_repository.Root, "marker")}\" [REDACTED] < [REDACTED]"));
        Assert.That(host.Output, Does.Contain("Dry run: nothing was executed; 1 action(s) planned above."));
    }

    [Test]
    public void ARealRunStartsExactlyWhatThePlanPrints()
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, "--target=ProbeTouch");

        Assert.That(exitCode, Is.Zero, host.Output);
        var started = host.Processes.Started.Single();
        Assert.That(started.Tool, Is.EqualTo("touch"));
        Assert.That(started.Arguments, Is.EqualTo($"\"{Path.Combine(_repository.Root, "marker")}\" {ProbeTouch.ArgumentSecret}"));
        Assert.That(started.StandardInput, Is.EqualTo(System.Text.Encoding.UTF8.GetBytes(ProbeTouch.InputSecret)));
        Assert.That(host.Output, Does.Contain($"> touch \"{Path.Combine(_repository.Root, "marker")}\" [REDACTED] < [REDACTED]"));
    }

    [TestCase]
    [TestCase("--dry-run")]
    public void SecretsNeverReachTheLog(params string[] extra)
    {
        var host = new InProcessHost();

        host.Run(_repository.Root, ["--target=ProbeTouch", "--verbosity=diagnostic", .. extra]);

        Assert.That(host.Output, Does.Not.Contain(ProbeTouch.ArgumentSecret));
        Assert.That(host.Output, Does.Not.Contain(ProbeTouch.InputSecret));
    }

    [Test]
    public void WithoutATargetListsTheTargetsWithTheirDescriptions()
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root);

        Assert.That(exitCode, Is.Zero, host.Output);
        Assert.That(host.Output, Does.Contain("No target given. Run one with --target=<name>"));
        Assert.That(host.Output, Does.Contain("ReadVersion"));
        Assert.That(host.Output, Does.Contain("Reads the version from pyproject.toml"));
        Assert.That(host.Processes.Started, Is.Empty);
    }

    [TestCase("--target=Default")]
    [TestCase("--dryrun")]
    [TestCase("--dry-run")]
    public void DefaultIsTheTargetListToo(string arg)
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, arg);

        Assert.That(exitCode, Is.Zero, host.Output);
        Assert.That(host.Output, Does.Contain("No target given. Run one with --target=<name>"));
        Assert.That(host.Output, Does.Contain("Reads the version from pyproject.toml"));
        Assert.That(host.TasksRun, Is.Empty);
    }

    // --exclusive was refused by every real task ("needs the version that ReadVersion reads").
    [TestCase("Login", "[dry-run] would run: docker login")]
    [TestCase("Build", "[dry-run] would run: docker build --tag \"<REGISTRY>/book-shop:1.2.0-SNAPSHOT-")]
    [TestCase("Push", "[dry-run] would run: docker push \"<REGISTRY>/book-shop:1.2.0-SNAPSHOT-")]
    [TestCase("DeployDev", "[dry-run] would run: ssh -p 22 ubuntu@<EC2_HOST> sh -s <<'BOOK_SHOP_SCRIPT'    # replace dev-app")]
    [TestCase("ResolveSnapshot", "Promoting <REGISTRY>/book-shop:1.2.0-SNAPSHOT-")]
    [TestCase("Release", "/git/tags {\"tag\":\"v1.2.0\"")]
    [TestCase("Retag", "[dry-run] would run: PUT https://<REGISTRY>/v2/book-shop/manifests/v1.2.0 (the exact bytes of 1.2.0-SNAPSHOT-")]
    [TestCase("Rollout", "[dry-run] would run: ssh -p 22 ubuntu@<EC2_HOST> sh -s <<'BOOK_SHOP_SCRIPT'    # roll out <REGISTRY>/book-shop:v1.2.0")]
    public void EveryTaskAloneMakesItsPlan(string task, string planned)
    {
        _repository.CommitTheManifests();
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, $"--target={task}", "--exclusive", "--dry-run");

        Assert.That(exitCode, Is.Zero, host.Output);
        Assert.That(host.TasksRun, Is.EqualTo(new[] { task }));
        Assert.That(host.Output, Does.Contain(planned));
        Assert.That(host.Processes.Started, Is.Empty);
    }

    [TestCase("Release")]
    [TestCase("Retag")]
    [TestCase("Rollout")]
    public void ATaskThatNeedsResolveSnapshotsProofIsRefusedAloneInARealRunWithTheReason(string task)
    {
        var sha7 = new LibGit2Sharp.Repository(_repository.Root).Head.Tip.Sha[..7];
        var settings = new Dictionary<string, string?>
        {
            ["REGISTRY"] = "127.0.0.1:9", ["GITHUB_TOKEN"] = "token-for-the-refusal", ["GITHUB_REPOSITORY"] = "acme/book-shop",
            ["GITHUB_API_URL"] = "http://127.0.0.1:9/", ["SNAPSHOT_TAG"] = $"1.2.0-SNAPSHOT-{sha7}",
            ["EC2_HOST"] = "127.0.0.1", ["EC2_HOST_KEY"] = "SHA256:" + new string('A', 43), ["EC2_SSH_KEY"] = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n",
        };

        var result = HostProcess.Run(_repository.Root, settings, $"--target={task}", "--exclusive");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Is.EqualTo($"Error: {task}: This task releases the snapshot that ResolveSnapshot proves: run it without --exclusive, with --snapshot-tag=X.Y.Z-SNAPSHOT-<sha7> or --snapshot-file=<Dev's snapshot.json>."));
    }

    [TestCase("--dryrun")]
    [TestCase("--dry-run")]
    public void ADryRunOfOneTaskAloneRunsThatTaskInPlanMode(string spelling)
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, "--target=ProbeTarget", spelling, "--exclusive");

        Assert.That(exitCode, Is.Zero, host.Output);
        Assert.That(host.TasksRun, Is.EqualTo(new[] { "ProbeTarget" }));
        Assert.That(host.Output, Does.Contain("Dry run: nothing was executed; 0 action(s) planned above."));
        Assert.That(host.Processes.Started, Is.Empty);
    }

    [Test]
    public void TreeShowsATargetsGraphAndRunsNothing()
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, "--target=Dev", "--tree");

        Assert.That(exitCode, Is.Zero, host.Output);
        foreach (var task in new[] { "Dev", "DeployDev", "Push", "Build", "Login", "ReadVersion" })
        {
            Assert.That(host.Output, Does.Contain(task));
        }
        Assert.That(host.TasksRun, Is.Empty);
        Assert.That(host.Output, Does.Not.Contain("Version 1.2.0"), "ReadVersion did not run");
    }

    [Test]
    public void VersionPrintsTheCakeEnginesVersion()
    {
        var result = HostProcess.Run(_repository.Root, null, "--version");

        Assert.That(result.ExitCode, Is.Zero);
        Assert.That(result.StandardOutput.Trim(), Is.EqualTo("7.0.0"));
    }

    [Test]
    public void HelpListsTheHostsOptions()
    {
        var result = HostProcess.Run(_repository.Root, null, "--help");

        Assert.That(result.ExitCode, Is.Zero);
        Assert.That(result.StandardOutput, Does.Contain("--target").And.Contain("--dryrun").And.Contain("--exclusive").And.Contain("--tree"));
    }

    // --help describes this tool, not the Cake host it runs on: how to call it, what each target runs.
    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("--HELP")]
    public void HelpSaysHowToRunATargetAndWhatEachRuns(string option)
    {
        var result = HostProcess.Run(_repository.Root, null, option);

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        var lines = result.StandardOutput.Split('\n').Select(line => line.TrimEnd()).ToList();
        Assert.That(lines.Take(2), Is.EqualTo(new[] { "USAGE:", "    ./build.sh --target=<Target> [--dry-run] [--name=value ...]     (Windows: ./build.ps1)" }));
        Assert.That(lines, Does.Contain("                     runs: ReadVersion -> Login -> Build -> Push -> DeployDev"));
        Assert.That(lines, Does.Contain("                     runs: ReadVersion -> ResolveSnapshot -> Release -> Retag -> Rollout"));
        Assert.That(lines.First(line => line.StartsWith("    Dev ", StringComparison.Ordinal)), Does.EndWith("On a push to dev: ReadVersion -> Login -> Build -> Push -> DeployDev."));
        Assert.That(lines, Does.Contain("DRY RUN: --dry-run (or --dryrun, --noop, --whatif; any case) prints every action a real run would take,"));
        Assert.That(result.StandardOutput, Does.Not.Contain("Build.dll").And.Not.Contain("Default"), "the host's generic help is not shown");
        Assert.That(lines.IndexOf("DRY RUN: --dry-run (or --dryrun, --noop, --whatif; any case) prints every action a real run would take,"),
            Is.LessThan(lines.FindIndex(line => line.StartsWith("SETTINGS", StringComparison.Ordinal))));
    }

    [Test]
    public void AnUnknownTargetFails()
    {
        var host = new InProcessHost();

        var exitCode = host.Run(_repository.Root, "--target=Deploy");

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(host.Output, Does.Contain("Error: --target=Deploy: no such target; did you mean DeployDev?"));
    }
}
