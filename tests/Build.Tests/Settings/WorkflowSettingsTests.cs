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

    /// <summary>The env: of the step whose run is `./build.sh --target=TARGET`, read with a YAML parser.</summary>
    private static IReadOnlyList<string> BuildStepEnvironment(string workflow, string target)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepositoryRoot.Path, ".github", "workflows", workflow)))
        {
            stream.Load(reader);
        }
        var jobs = (YamlMappingNode)((YamlMappingNode)stream.Documents.Single().RootNode)["jobs"];
        var steps = jobs.Children.Values.Cast<YamlMappingNode>()
            .Where(job => job.Children.ContainsKey("steps"))
            .SelectMany(job => ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>())
            .Where(step => step.Children.TryGetValue("run", out var run) && run.ToString() == $"./build.sh --target={target}")
            .ToList();
        Assert.That(steps, Has.Count.EqualTo(1), $"{workflow} runs --target={target} in one step");
        return steps[0].Children.TryGetValue("env", out var env) ? ((YamlMappingNode)env).Children.Keys.Select(key => key.ToString()).ToList() : [];
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
