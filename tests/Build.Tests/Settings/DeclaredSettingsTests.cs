using Pipeline.Settings;
using Pipeline.Tests.Host;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Settings;

/// <summary>
/// Which task reads which setting is declared once, on the task ([Uses]); the check before the
/// first task, masking, --help, the dry run's list and the README's table all come from it.
/// </summary>
[NonParallelizable]
public sealed class DeclaredSettingsTests
{
    private TempGitRepository _repository = null!;

    [SetUp]
    public void CreateRepository()
    {
        _repository = TempGitRepository.OfVersion("1.2.0");
    }

    [TearDown]
    public void DeleteRepository()
    {
        System.Environment.SetEnvironmentVariable("PROBE_TOKEN", null);
        System.Environment.SetEnvironmentVariable("GITHUB_ACTIONS", null);
        _repository.Dispose();
    }

    [Test]
    public void ANewTasksRequiredSettingIsCheckedBeforeTheFirstTask()
    {
        var host = new InProcessHost();

        var missing = host.Run(_repository.Root, "--target=ProbeSettings");
        var invalid = new InProcessHost();
        var invalidExit = invalid.Run(_repository.Root, "--target=ProbeSettings", "--probe-level=medium");

        Assert.That(missing, Is.Not.Zero);
        Assert.That(host.Output, Does.Contain("Error: --probe-level / PROBE_LEVEL: missing: pass --probe-level=<value> or set PROBE_LEVEL"));
        Assert.That(host.TasksRun, Is.Empty);
        Assert.That(invalidExit, Is.Not.Zero);
        Assert.That(invalid.Output, Does.Contain("Error: --probe-level / PROBE_LEVEL: \"medium\" is not low or high"));
    }

    [Test]
    public void ANewTasksSettingIsReadAndItsSecretMaskedInGitHubActions()
    {
        System.Environment.SetEnvironmentVariable("PROBE_TOKEN", "probe-s3cr3t-5521");
        System.Environment.SetEnvironmentVariable("GITHUB_ACTIONS", "true");
        var host = new InProcessHost();
        // Cake.Common writes GitHub Actions' workflow commands to the process's own output.
        var original = System.Console.Out;
        using var commands = new StringWriter();
        System.Console.SetOut(commands);
        int exit;
        try
        {
            exit = host.Run(_repository.Root, "--target=ProbeSettings", "--probe-level=high");
        }
        finally
        {
            System.Console.SetOut(original);
        }

        Assert.That(exit, Is.Zero, host.Output);
        Assert.That(host.Output, Does.Contain("probe level high"));
        Assert.That(commands.ToString() + host.Output, Does.Contain("::add-mask::probe-s3cr3t-5521"));
    }

    [Test]
    public void ANewTasksMissingSettingIsListedInTheDryRunsPlan()
    {
        var host = new InProcessHost();

        var exit = host.Run(_repository.Root, "--target=ProbeSettings", "--dry-run");

        Assert.That(exit, Is.Zero, host.Output);
        Assert.That(host.Output, Does.Contain("A real run also needs:\n  --probe-level / PROBE_LEVEL: missing: pass --probe-level=<value> or set PROBE_LEVEL"));
    }

    [Test]
    public void ANewTasksSettingIsListedInHelpWithTheTaskThatUsesIt()
    {
        var catalog = SettingsCatalog.OfAssemblies(typeof(BuildHost).Assembly, typeof(ProbeSettings).Assembly);

        var help = SettingsHelp.Render(catalog);

        Assert.That(help, Does.Contain("    --probe-level=<value>  PROBE_LEVEL\n        default: required: low or high; used by: ProbeSettings".Replace("\n", System.Environment.NewLine)));
        Assert.That(help, Does.Contain("    PROBE_TOKEN (secret)"));
    }

    [Test]
    public void HelpListsEverySettingWithItsVariableDefaultAndTasks()
    {
        var result = HostProcess.Run(_repository.Root, null, "--help");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain("SETTINGS"));
        Assert.That(result.StandardOutput, Does.Contain("    --health-timeout=<value>  HEALTH_TIMEOUT"));
        Assert.That(result.StandardOutput, Does.Contain("        default: 60s (90s, 3m, 1h; 1s to 24h); used by: DeployDev"));
        Assert.That(result.StandardOutput, Does.Contain("    GITHUB_TOKEN (secret)"));
    }

    [Test]
    public void TheReadmesSettingsTableIsTheOneTheDeclarationsMake()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        var table = SettingsHelp.MarkdownTable(SettingsCatalog.OfAssemblies(typeof(BuildHost).Assembly));

        var expected = Path.Combine(Path.GetTempPath(), "book-shop-settings-table.md");
        File.WriteAllText(expected, table + "\n");
        Assert.That(readme, Does.Contain(table), $"the README's settings table differs from the declarations': replace it with {expected}");
    }

    [Test]
    public void EveryStepOfPromoteThatAsksTheRegistryUsesTheEcrPublicEndpoint()
    {
        var catalog = SettingsCatalog.OfAssemblies(typeof(BuildHost).Assembly);

        Assert.That(catalog.UsedBy(Pipeline.Settings.Settings.EcrPublicEndpoint), Is.SupersetOf(new[] { "Login", "ResolveSnapshot", "Retag" }));
    }

    [TestCase("--helth-timeout=5m", "Error: --helth-timeout: unknown; did you mean --health-timeout?")]
    [TestCase("--REGISTRI=x", "Error: --REGISTRI: unknown; did you mean --registry?")]
    [TestCase("--frobnicate", "Error: --frobnicate: unknown: --help lists the settings.")]
    [TestCase("--target=ReadVerson", "Error: --target=ReadVerson: no such target; did you mean ReadVersion?")]
    [TestCase("--target=Deploy", "Error: --target=Deploy: no such target; did you mean DeployDev?")]
    public void AnUnknownArgumentOrTargetIsRefusedWithTheNearestName(string argument, string expected)
    {
        var host = new InProcessHost();

        var exit = host.Run(_repository.Root, argument.StartsWith("--target") ? [argument] : ["--target=ReadVersion", argument]);

        Assert.That(exit, Is.Not.Zero);
        Assert.That(host.Output, Does.Contain(expected));
        Assert.That(host.TasksRun, Is.Empty);
    }
}
