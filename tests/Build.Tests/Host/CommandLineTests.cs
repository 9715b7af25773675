using Pipeline.Tests.Support;

namespace Pipeline.Tests.Host;

/// <summary>
/// The command line as a user types it, through the real program (build.sh starts the same):
/// a target is honoured or refused in any case, never silently dropped with exit 0; an option
/// without a value is a switch turned on or a mistake said in one line.
/// </summary>
[Parallelizable]
public sealed class CommandLineTests
{
    private TempGitRepository _repository = null!;

    // No setting from the machine running the tests may reach the runs below.
    private static readonly Dictionary<string, string?> NoSettings = new()
    {
        ["REGISTRY"] = null, ["EC2_HOST"] = null, ["EC2_HOST_KEY"] = null, ["EC2_SSH_KEY"] = null, ["EC2_SSH_KEY_FILE"] = null,
        ["GITHUB_TOKEN"] = null, ["GITHUB_REPOSITORY"] = null, ["INSECURE_ACCEPT_ANY_HOST_KEY"] = null,
    };

    [SetUp]
    public void CreateRepository()
    {
        _repository = TempGitRepository.OfVersion("1.2.0");
    }

    [TearDown]
    public void DeleteRepository() => _repository.Dispose();

    private HostResult Run(params string[] args) => Run(NoSettings, args);

    private HostResult Run(Dictionary<string, string?> environment, params string[] args) => HostProcess.Run(_repository.Root, environment, args);

    [TestCase("--TARGET=ReadVersion")]
    [TestCase("--tArget=ReadVersion")]
    [TestCase("--Target=readversion")]
    public void ATargetTypedInAnyCaseRunsThatTarget(string target)
    {
        var result = Run(target);

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain("Version 1.2.0, commit "));
        Assert.That(result.StandardOutput, Does.Not.Contain("No target given"));
    }

    [TestCase("--TARGET=Dev", "--DRYRUN")]
    [TestCase("--tArget=Dev", "--Dry-Run")]
    [TestCase("--target=Dev", "--WhatIf")]
    public void ATargetAndADryRunInAnyCasePrintThatTargetsPlan(string target, string dryRun)
    {
        var result = Run(target, dryRun);

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain("[dry-run] would run: docker build --tag \"<REGISTRY>/book-shop:1.2.0-SNAPSHOT-"));
        Assert.That(result.StandardOutput, Does.Match(@"Dry run: nothing was executed; \d+ action\(s\) planned above\."));
    }

    [Test]
    public void AnUnknownTargetInAnyCaseIsRefusedWithTheNearestName()
    {
        var result = Run("--TARGET=Deev");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Is.EqualTo("Error: --target=Deev: no such target; did you mean Dev?"));
    }

    [Test]
    public void AMistypedTargetOptionGetsTheNearestName()
    {
        var result = Run("--taget=Dev");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Is.EqualTo("Error: --taget: unknown; did you mean --target?"));
    }

    [Test]
    public void AValueSettingGivenWithoutAValueIsRefusedAndDoesNotHideItsVariable()
    {
        var environment = new Dictionary<string, string?>(NoSettings) { ["REGISTRY"] = "127.0.0.1:5999" };

        var result = Run(environment, "--target=Build", "--registry", "--dry-run");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Is.EqualTo("Error: --registry / REGISTRY: --registry needs a value: pass --registry=<value>"));
        Assert.That(result.AllOutput, Does.Not.Contain("REGISTRY: missing"));
    }

    [TestCase("--insecure-accept-any-host-key")]
    [TestCase("--insecure-accept-any-host-key=on")]
    [TestCase("--insecure-accept-any-host-key=TRUE")]
    [TestCase("--insecure-accept-any-host-key=Yes")]
    [TestCase("--insecure-accept-any-host-key=1")]
    public void ASwitchGivenBareOrOnIsOn(string option)
    {
        var result = Run("--target=Dev", "--dry-run", option);

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Not.Contain("--ec2-host-key / EC2_HOST_KEY: missing"), "with the switch on, no pin is needed");
    }

    [TestCase("--insecure-accept-any-host-key=off")]
    [TestCase("--insecure-accept-any-host-key=False")]
    [TestCase("--insecure-accept-any-host-key=NO")]
    [TestCase("--insecure-accept-any-host-key=0")]
    public void ASwitchSetOffIsOff(string option)
    {
        var result = Run("--target=Dev", "--dry-run", option);

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain("--ec2-host-key / EC2_HOST_KEY: missing"));
    }

    [Test]
    public void ASwitchWithAnotherValueIsRefused()
    {
        var result = Run("--target=Dev", "--dry-run", "--insecure-accept-any-host-key=maybe");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.AllOutput, Does.Contain("--insecure-accept-any-host-key / INSECURE_ACCEPT_ANY_HOST_KEY: \"maybe\" is not on or off (true/false, yes/no, 1/0)"));
    }
}
