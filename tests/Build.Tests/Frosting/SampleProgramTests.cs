using Pipeline.Tests.Support;

namespace Pipeline.Tests.Frosting;

/// <summary>
/// Frosting programs written for the package, compiled unmodified against the stand-in and run
/// as their users run them: the `dotnet new cakefrosting` template's Program.cs, and a build with
/// a lifetime, a task lifetime, a module, an installed tool and [ContinueOnError]
/// (tests/FrostingSamples/).
/// </summary>
[NonParallelizable]
[Category(TestTiers.Builds)]
public sealed class SampleProgramTests
{
    private static readonly string Samples = Path.Combine(RepositoryRoot.Path, "tests", "FrostingSamples");
    private string _scratch = null!;
    private string _template = null!;
    private string _lifetimes = null!;

    [OneTimeSetUp]
    public void BuildSamples()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "frosting-samples-" + Guid.NewGuid().ToString("N")[..8]);
        _template = Build("Template");
        _lifetimes = Build("Lifetimes");
    }

    [OneTimeTearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    private string Build(string sample)
    {
        var project = Path.Combine(Samples, sample, "Build.csproj");
        var output = Path.Combine(_scratch, sample);
        // The stand-in builds into the scratch folder too (HostOutput, build/Directory.Build.props),
        // apart from the build the tests themselves run on.
        var build = Command.Run("dotnet", ["build", project, "-nologo", "-v", "q", "-c", "Release", "-o", output, $"-p:HostOutput={_scratch}/"]);
        Assert.That(build.ExitCode, Is.Zero, $"{sample} did not compile against the stand-in:\n{build.Output}{build.Error}");
        return Path.Combine(output, "Build.dll");
    }

    private HostResult Run(string dll, params string[] args)
    {
        var folder = Path.Combine(_scratch, "run-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return HostProcess.RunDll(dll, folder, null, args);
    }

    private static List<string> Lines(HostResult result) =>
        result.StandardOutput.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).ToList();

    private static List<string> Marked(HostResult result) =>
        Lines(result).Where(line => line.StartsWith("» ", StringComparison.Ordinal)).Select(line => line[2..]).ToList();

    [Test]
    public void TheTemplateRunsDefaultWhichRunsHelloThenWorld()
    {
        var result = Run(_template);

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        // The last line of each name is the task's own log line (the first is the step's banner).
        var lines = Lines(result);
        Assert.That(lines.LastIndexOf("Hello"), Is.GreaterThanOrEqualTo(0).And.LessThan(lines.LastIndexOf("World")), result.AllOutput);
        Assert.That(lines, Does.Not.Contain("Waiting..."));
    }

    [Test]
    public void TheTemplatesContextReadsItsArgument()
    {
        var result = Run(_template, "--target=World", "--delay");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        var lines = Lines(result);
        Assert.That(lines.IndexOf("Waiting..."), Is.GreaterThan(lines.LastIndexOf("Hello")).And.LessThan(lines.LastIndexOf("World")), result.AllOutput);
    }

    [Test]
    public void TheTemplatesTargetRunsOnlyWhatItNeeds()
    {
        var result = Run(_template, "--target", "Hello");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(Lines(result), Does.Contain("Hello").And.Not.Contain("World"));
    }

    [Test]
    public void AnUnknownTargetExitsWithMinusOne()
    {
        var result = Run(_template, "--target=Nope");

        Assert.That(result.ExitCode, Is.EqualTo(255), result.AllOutput);
        Assert.That(result.LastErrorLine, Is.EqualTo("Error: The target 'Nope' was not found."));
    }

    [Test]
    public void CakesDryRunListsTheTemplatesTasksAndRunsNone()
    {
        var result = Run(_template, "--dryrun");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        var lines = Lines(result);
        Assert.That(lines, Does.Contain("Performing dry run...").And.Contain("1. Hello").And.Contain("2. World").And.Contain("3. Default"));
        Assert.That(lines, Does.Not.Contain("Hello").And.Not.Contain("World"));
    }

    [Test]
    public void HelpListsEveryOptionOfTheHost()
    {
        var result = Run(_template, "--help");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        // Spectre shows each option by its first long name; the aliases (--showtree, --noop, ...) work unlisted.
        foreach (var option in new[] { "-t, --target <TARGET>", "-w, --working <PATH>", "-v, --verbosity <VERBOSITY>", "--description", "--tree", "--dryrun", "-e, --exclusive", "--version", "--info", "Build.dll --verbosity quiet" })
        {
            Assert.That(result.StandardOutput, Does.Contain(option), option);
        }
    }

    [Test]
    public void LifetimesModuleToolAndContinueOnErrorRunAsFrostingDocuments()
    {
        var result = Run(_lifetimes);

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(Marked(result), Is.EqualTo(new[]
        {
            "setup: Greet, Flaky, UseTool, Default",
            "before Greet", "hello from a module",
            "before Flaky",
            "before UseTool", "greeter says frosting",
            "before Default",
            "teardown: success after Greet, Flaky, UseTool, Default",
        }), result.AllOutput);
        Assert.That(result.AllOutput, Does.Contain("An error occurred when executing task 'Flaky'."));
    }

    [Test]
    public void AFailingTaskExitsWithMinusOneAfterTheTeardown()
    {
        var result = Run(_lifetimes, "--target=Broken");

        Assert.That(result.ExitCode, Is.EqualTo(255), result.AllOutput);
        Assert.That(Marked(result), Is.EqualTo(new[] { "setup: Broken", "before Broken", "teardown: failure after Broken" }));
        Assert.That(result.LastErrorLine, Is.EqualTo("Error: broken on purpose"));
    }

    [Test]
    public void OnlyPublicTasksAreFound()
    {
        var result = Run(_lifetimes, "--description");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Match(@"Greet\s+Says the module's greeting\."));
        Assert.That(result.StandardOutput, Does.Not.Contain("Hidden"));
    }
}
