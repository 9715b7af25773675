using Cake.Core;
using Pipeline.Settings;
using Pipeline.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Tests.Settings;

/// <summary>
/// The workflows and the build cannot drift: the step that runs a target passes every setting a
/// real run of it needs (what the build's up-front check would refuse as missing) and no setting
/// that the target's tasks do not read, as the tasks declare them.
/// </summary>
public sealed class WorkflowSettingsTests
{
    private static readonly SettingsCatalog Catalog = SettingsCatalog.OfAssemblies(typeof(BuildHost).Assembly);

    // Set by the runner itself in every job; AWS's keys come from configure-aws-credentials.
    private static readonly string[] FromTheRunner = ["GITHUB_REPOSITORY", "GITHUB_API_URL", "CI"];

    /// <summary>The steps of the job that runs `./build.sh --target=TARGET`, and that step's place, read with a YAML parser.</summary>
    private static (IReadOnlyList<YamlMappingNode> Steps, int BuildStep) JobRunning(string workflow, string target)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepositoryRoot.Path, ".github", "workflows", workflow)))
        {
            stream.Load(reader);
        }
        var jobs = (YamlMappingNode)((YamlMappingNode)stream.Documents.Single().RootNode)["jobs"];
        var found = jobs.Children.Values.Cast<YamlMappingNode>()
            .Where(job => job.Children.ContainsKey("steps"))
            .Select(job => ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>().ToList())
            .Select(steps => (Steps: steps, BuildStep: steps.FindIndex(step => Value(step, "run") == $"./build.sh --target={target}")))
            .Where(job => job.BuildStep >= 0)
            .ToList();
        Assert.That(found, Has.Count.EqualTo(1), $"{workflow} runs --target={target} in one job");
        Assert.That(found[0].Steps.Count(step => Value(step, "run") == $"./build.sh --target={target}"), Is.EqualTo(1), "in one step");
        return (found[0].Steps, found[0].BuildStep);
    }

    private static string? Value(YamlMappingNode node, string key) => node.Children.TryGetValue(key, out var value) ? value.ToString() : null;

    /// <summary>The env: of the step whose run is `./build.sh --target=TARGET`.</summary>
    private static IReadOnlyList<string> BuildStepEnvironment(string workflow, string target)
    {
        var (steps, buildStep) = JobRunning(workflow, target);
        return steps[buildStep].Children.TryGetValue("env", out var env) ? ((YamlMappingNode)env).Children.Keys.Select(key => key.ToString()).ToList() : [];
    }

    [TestCase("dev.yml", "Dev")]
    [TestCase("prod.yml", "Promote")]
    public void EachJobRestoresTheBuiltHostKeyedOnItsSourcesBeforeRunningIt(string workflow, string target)
    {
        var (steps, buildStep) = JobRunning(workflow, target);
        var caches = steps.Take(buildStep).Where(step => Value(step, "uses")?.StartsWith("actions/cache@", StringComparison.Ordinal) == true).ToList();
        Assert.That(caches, Has.Count.EqualTo(1), "one actions/cache step before the build");
        var with = (YamlMappingNode)caches[0]["with"];
        var paths = Value(with, "path")!.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(paths, Is.EquivalentTo(new[] { "~/.nuget/packages", ".build/host" }));
        // The same files build.sh hashes to decide whether the restored host is current.
        Assert.That(Value(with, "key"), Does.Contain("${{ hashFiles('build/**', 'global.json') }}"));
        Assert.That(Value(with, "key"), Does.StartWith(Value(with, "restore-keys") ?? "(no restore-keys)"), "an older entry still brings the packages");
    }

    [Test]
    public void DevChecksOutTheHistoryInWhichBuildLooksForThePreviousSnapshot()
    {
        var (steps, buildStep) = JobRunning("dev.yml", "Dev");
        var checkout = steps.Take(buildStep).Single(step => Value(step, "uses")?.StartsWith("actions/checkout@", StringComparison.Ordinal) == true);
        var depth = checkout.Children.TryGetValue("with", out var with) ? Value((YamlMappingNode)with, "fetch-depth") : null;

        // actions/checkout fetches one commit unless told: then no earlier snapshot is ever found.
        Assert.That(depth, Is.Not.Null, "fetch-depth is set");
        Assert.That(int.Parse(depth!), Is.Zero.Or.GreaterThan(Pipeline.Versioning.SourceCommit.EarlierCommitsLooked),
            "the whole history, or the commits Build looks at and the one built");
    }

    [TestCase("dev.yml", "Dev")]
    [TestCase("prod.yml", "Promote")]
    public void EachWorkflowPassesWhatItsTargetNeedsAndNothingElse(string workflow, string target)
    {
        var passed = BuildStepEnvironment(workflow, target);
        var read = Catalog.For(Catalog.Closure([target]));

        Assert.That(passed.Where(name => !read.Any(setting => setting.Variable == name)), Is.Empty, "passes a setting the target does not read");
        var settings = PipelineSettings.Read(new CakeArguments(Array.Empty<string>().ToLookup(name => name)), _ => null, Catalog);
        var needed = settings.ProblemsFor(read).Where(problem => problem.IsMissing && !problem.IsAdvisory).Select(problem => problem.Setting.Variable)
            .Except(FromTheRunner).ToList();
        Assert.That(needed, Is.Not.Empty);
        Assert.That(needed.Where(name => !passed.Contains(name)), Is.Empty, "does not pass a setting a real run needs");
    }
}
