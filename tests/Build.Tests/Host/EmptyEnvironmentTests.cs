using Pipeline.Settings;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Host;

/// <summary>The first thing a newcomer runs: any target's plan, on a fresh clone, with nothing set.</summary>
[Parallelizable]
public sealed class EmptyEnvironmentTests
{
    private static readonly SettingsCatalog Catalog = SettingsCatalog.OfAssemblies(typeof(BuildHost).Assembly);

    private AppRepository _app = null!;

    [SetUp]
    public void CloneTheApplication() => _app = new AppRepository();

    [TearDown]
    public void Delete() => _app.Dispose();

    /// <summary>Every variable the pipeline reads, unset; HOME somewhere without AWS files.</summary>
    private static Dictionary<string, string?> Empty()
    {
        var environment = Catalog.All.ToDictionary(setting => setting.Variable, string? (_) => null);
        environment["HOME"] = Path.GetTempPath();
        environment["AWS_SHARED_CREDENTIALS_FILE"] = null;
        environment["AWS_CONFIG_FILE"] = null;
        return environment;
    }

    public static IEnumerable<string> Targets() => Catalog.TaskNames.Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(Targets))]
    public void EveryTargetsDryRunWorksWithNothingSet(string target)
    {
        var result = HostProcess.Run(_app.Root, Empty(), $"--target={target}", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain("Dry run: nothing was executed"));
        Assert.That(result.AllOutput, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void PromotesDryRunPlansHeadsSnapshotAndListsWhatARealRunNeeds()
    {
        var result = HostProcess.Run(_app.Root, Empty(), "--target=Promote", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain($"No --snapshot-tag or --snapshot-file given; the plan uses HEAD's snapshot tag 0.1.0-SNAPSHOT-{_app.ShortSha} (a real run needs one of them)."));
        Assert.That(result.StandardOutput, Does.Contain("key from the AWS credential chain: none configured here"), "a missing credential is never shown as [REDACTED]");
        Assert.That(result.StandardOutput, Does.Contain("A real run also needs:"));
        Assert.That(result.StandardOutput, Does.Contain("  AWS_ACCESS_KEY_ID: missing: no AWS credentials configured"));
        Assert.That(result.StandardOutput, Does.Contain("  GITHUB_TOKEN: missing"));
    }

    // A plan of a task alone goes on without ResolveSnapshot's proof; a real run is refused (HostTests).
    [TestCase("Retag")]
    [TestCase("Rollout")]
    public void AnExclusiveTaskThatNeedsTheSnapshotPlansWithAPlaceholderAndSaysARealRunNeedsIt(string target)
    {
        var result = HostProcess.Run(_app.Root, Empty(), $"--target={target}", "--exclusive", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Match(@"ResolveSnapshot does not run \(--exclusive\): the plan promotes 0\.1\.0-SNAPSHOT-[0-9a-f]{7} with a placeholder for its digest; a real run needs it\."));
        Assert.That(result.StandardOutput, Does.Contain("<the digest ResolveSnapshot proves>"));
    }

    [TestCase("--Dry-Run")]
    [TestCase("--DRYRUN")]
    [TestCase("--Noop")]
    [TestCase("--WhatIf")]
    [TestCase("--dry_run")]
    public void ADryRunInAnySpellingOrCaseNeverRunsForReal(string spelling)
    {
        var result = HostProcess.Run(_app.Root, Empty(), "--target=Dev", spelling);

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain("[dry-run] would run: docker build"));
        Assert.That(result.StandardOutput, Does.Not.Contain("> docker"), "nothing was executed");
        Assert.That(result.StandardOutput, Does.Contain("Dry run: nothing was executed"));
    }
}
