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

    // Set by the runner itself in every job; AWS's keys come from configure-aws-credentials. The
    // public signing key is a file of the repository (cosign.pub), which the checkout brings.
    private static readonly string[] FromTheRunner = ["GITHUB_REPOSITORY", "GITHUB_API_URL", "CI", "SIGNING_PUBLIC_KEY"];

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
    [TestCase("rollback.yml", "Rollback")]
    [TestCase("status.yml", "Status")]
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
    [TestCase("rollback.yml", "Rollback")]
    [TestCase("status.yml", "Status")]
    public void EachWorkflowPassesWhatItsTargetNeedsAndNothingElse(string workflow, string target)
    {
        var passed = BuildStepEnvironment(workflow, target);
        var read = Catalog.For(Catalog.Closure([target]));

        Assert.That(passed.Where(name => !read.Any(setting => setting.Variable == name)), Is.Empty, "passes a setting the target does not read");
        var settings = PipelineSettings.Read(new CakeArguments(new[] { ("target", target) }.ToLookup(pair => pair.Item1, pair => pair.Item2)), _ => null, Catalog,
            Pipeline.Environments.EnvironmentCatalog.Load(RepositoryRoot.Path));
        var needed = settings.ProblemsFor(read).Where(problem => problem.IsMissing && !problem.IsAdvisory).Select(problem => problem.Setting.Variable)
            .Except(FromTheRunner).ToList();
        Assert.That(needed, Is.Not.Empty);
        Assert.That(needed.Where(name => !passed.Contains(name)), Is.Empty, "does not pass a setting a real run needs");
    }

    // --- The workflows and the README, held to each other ---

    private static YamlMappingNode Workflow(string name)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepositoryRoot.Path, ".github", "workflows", name)))
        {
            stream.Load(reader);
        }
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static IEnumerable<string> Scalars(YamlNode node) => node switch
    {
        YamlScalarNode scalar => [scalar.Value ?? ""],
        YamlMappingNode mapping => mapping.Children.SelectMany(pair => Scalars(pair.Key).Concat(Scalars(pair.Value))),
        YamlSequenceNode sequence => sequence.Children.SelectMany(Scalars),
        _ => [],
    };

    /// <summary>The names in the first column of the README's table of GitHub variables and secrets.</summary>
    private static IReadOnlyList<string> ReadmeGitHubNames()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "README.md"));
        var start = Array.FindIndex(lines, line => line.StartsWith("### 2. GitHub variables and secrets", StringComparison.Ordinal));
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "the README has its GitHub variables and secrets section");
        var header = Array.FindIndex(lines, start, line => line.StartsWith("| name | kind | value |", StringComparison.Ordinal));
        return lines.Skip(header + 2).TakeWhile(line => line.StartsWith('|'))
            .SelectMany(line => System.Text.RegularExpressions.Regex.Matches(line.Split('|')[1], "`([A-Z0-9_]+)`").Select(match => match.Groups[1].Value))
            .ToList();
    }

    [Test]
    public void EveryVariableAndSecretTheWorkflowsReadIsInTheReadmesTableAndNoOtherIs()
    {
        var used = new[] { "dev.yml", "prod.yml", "rollback.yml", "status.yml" }
            .SelectMany(name => Scalars(Workflow(name)))
            .SelectMany(text => System.Text.RegularExpressions.Regex.Matches(text, @"\b(?:vars|secrets)\.([A-Z0-9_]+)").Select(match => match.Groups[1].Value))
            .ToHashSet();

        Assert.That(ReadmeGitHubNames(), Is.EquivalentTo(used));
    }

    // What an adopter may change in Terraform and the pipeline must then know: Terraform's
    // `repository` (output image_repository) and `ssh_user` (infra/variables.tf).
    [TestCase("dev.yml", "Dev")]
    [TestCase("prod.yml", "Promote")]
    public void WhatTerraformLetsAnAdopterChangeReachesTheBuildThroughARepositoryVariable(string workflow, string target)
    {
        var (steps, buildStep) = JobRunning(workflow, target);
        var env = (YamlMappingNode)steps[buildStep]["env"];

        Assert.That(Value(env, "IMAGE_REPOSITORY"), Is.EqualTo("${{ vars.IMAGE_REPOSITORY }}"));
        Assert.That(Value(env, "EC2_USER"), Is.EqualTo("${{ vars.EC2_USER }}"));
    }

    [Test]
    public void TheTargetsTheWorkflowsRunAreTasksOfTheHostAndInTheReadmesTargets()
    {
        var run = new[] { "dev.yml", "prod.yml", "rollback.yml", "status.yml" }.SelectMany(name => Scalars(Workflow(name)))
            .SelectMany(text => System.Text.RegularExpressions.Regex.Matches(text, @"\./build\.sh --target=(\w+)").Select(match => match.Groups[1].Value))
            .Distinct().ToList();
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));

        Assert.That(run, Is.EquivalentTo(new[] { "Dev", "Promote", "Rollback", "Status" }));
        foreach (var target in run)
        {
            Assert.That(Catalog.TaskNames, Does.Contain(target));
            // A target of several tasks lists them; a target that is one task names it first.
            var steps = Catalog.RunOrder(target).Where(task => task != target).ToList();
            Assert.That(readme, Does.Contain(steps.Count > 0 ? $"| `{target}` | {string.Join(" -> ", steps)} |" : $"| `{target}` | {target}: "), $"the README's row of {target} says what it runs");
        }
    }

    [Test]
    public void TheReadmeIsAManualOfAtMostAboutThreeHundredLines() =>
        Assert.That(File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "README.md")), Has.Length.LessThanOrEqualTo(300));

    // A push to main before dev ever ran failed inside `gh release download` with no word on the order.
    [TestCase(false, 1, "::error::No dev snapshot to promote yet: push to dev first; its workflow builds, deploys and publishes the record that prod promotes (README: bootstrap).")]
    [TestCase(true, 0, "")]
    public void PromotingBeforeDevEverRanStopsWithOneLineSayingToRunDevFirst(bool snapshotPublished, int exitCode, string said)
    {
        var (steps, buildStep) = JobRunning("prod.yml", "Promote");
        var fetch = steps.Take(buildStep).Single(step => Value(step, "name") == "Fetch the snapshot record that dev published");
        var folder = Directory.CreateTempSubdirectory("gh-stub-").FullName;
        try
        {
            // A stand-in of the gh CLI: `release view` answers as GitHub does for a release that is or is not there.
            File.WriteAllText(Path.Combine(folder, "gh"), $$"""
                #!/bin/sh
                echo "$*" >>"{{folder}}/calls"
                case "$1 $2" in
                  "release view") {{(snapshotPublished ? "exit 0" : "echo 'release not found' >&2; exit 1")}} ;;
                  "release download") exit 0 ;;
                esac
                exit 2
                """.Replace("\r\n", "\n"));
            Assert.That(Command.Run("chmod", ["+x", Path.Combine(folder, "gh")]).ExitCode, Is.Zero);
            var start = new System.Diagnostics.ProcessStartInfo("bash", ["-c", Value(fetch, "run")!]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            start.Environment["PATH"] = $"{folder}:{System.Environment.GetEnvironmentVariable("PATH")}";
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();

            Assert.That(process.ExitCode, Is.EqualTo(exitCode), output);
            Assert.That(output.Trim(), Is.EqualTo(said));
            var calls = File.ReadAllLines(Path.Combine(folder, "calls"));
            Assert.That(calls.Any(call => call.StartsWith("release download", StringComparison.Ordinal)), Is.EqualTo(snapshotPublished));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
