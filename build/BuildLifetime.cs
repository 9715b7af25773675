using Cake.Common.Build;
using Cake.Common.Diagnostics;
using Cake.Core;
using Cake.Frosting;
using Pipeline.Effects;
using Pipeline.Settings;

namespace Pipeline;

/// <summary>
/// Before the first task: every setting the chosen tasks need, checked at once. Cake runs this
/// in a dry run too, so it only reads. After the last task: in a dry run, the plan's footer.
/// </summary>
public sealed class BuildLifetime(Hosting.RunMode mode) : FrostingLifetime<BuildContext>
{
    private IReadOnlyList<SettingProblem> _missingForRealRun = [];
    private readonly System.Diagnostics.Stopwatch _elapsed = new();

    public override void Setup(BuildContext context, ISetupContext info)
    {
        _elapsed.Start();
        MaskSecrets(context);
        // Cake lists the whole graph even when the target runs alone.
        var tasks = mode.IsExclusive ? [info.TargetTask.Name] : info.TasksToExecute.Select(task => task.Name).ToList();
        var read = context.SettingsCatalog.For(tasks);
        // A deploy task declares dev's and production's settings (for --help and the README); the
        // run needs those of the environments it reads: the one it deploys to, or all (Status).
        if (context.Settings.EnvironmentSettings.Count > 0)
        {
            read = [.. read.Where(setting => !Environments.EnvironmentCatalog.BuiltInSettings.Contains(setting)).Concat(context.Settings.EnvironmentSettings).Distinct()];
        }
        var problems = context.Settings.ProblemsFor(read);
        _missingForRealRun = problems.Where(problem => problem.IsMissing).ToList();
        var refused = context.IsDryRun ? problems.Where(problem => !problem.IsMissing).ToList() : problems.Where(problem => !problem.IsAdvisory).ToList();
        if (!context.IsDryRun)
        {
            foreach (var advisory in problems.Where(problem => problem.IsAdvisory)) context.Warning("{0}", advisory);
        }
        if (refused.Count == 1)
        {
            throw new BuildInputException(refused[0].ToString());
        }
        if (refused.Count > 1)
        {
            var lines = refused.Select(problem => $"  {problem}");
            throw new BuildInputException(
                $"{refused.Count} setting(s) missing or invalid for {string.Join(" -> ", tasks)}:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
        }

        if (mode.IsExclusive) ReadWhatAnExclusiveTaskSkips(context, info.TargetTask.Name);

        // A real run that will reach its environment over SSH starts the handshake now, while the
        // image builds and pushes; DeployDev and Rollout then find the connection open.
        if (!context.IsDryRun && context.SettingsCatalog.DefaultEnvironment(tasks) is not null && context.Settings.DeployTo?.Connection is { } connection)
        {
            connection.OpenAhead(context);
        }
    }

    /// <summary>
    /// A task run alone (--exclusive) still needs the facts of the tasks it skips. ReadVersion's
    /// are reads, so they are read here, in a real run too: Build, Push or DeployDev alone work on
    /// HEAD's snapshot. ResolveSnapshot's proof is not made up for a real run (Release, Retag and
    /// Rollout alone are refused by the task, with the reason); a plan goes on with HEAD's
    /// snapshot and a placeholder for the digest, and says so.
    /// </summary>
    private static void ReadWhatAnExclusiveTaskSkips(BuildContext context, string target)
    {
        var needed = context.SettingsCatalog.Closure([target]);
        bool Skipped(string task) => needed.Contains(task, StringComparer.OrdinalIgnoreCase) && !string.Equals(task, target, StringComparison.OrdinalIgnoreCase);
        if (Skipped(Tasks.TaskNames.ReadVersion))
        {
            context.Information("{0} does not run (--exclusive): its facts are read here.", Tasks.TaskNames.ReadVersion);
            context.UseVersion(Versioning.VersionOfHead.Read(context));
        }
        if (Skipped(Tasks.TaskNames.ResolveSnapshot) && context.IsDryRun)
        {
            var version = context.Version;
            var tag = context.Settings.SnapshotTag ?? version.SnapshotTag;
            var release = version.Version.ReleaseTag;
            context.Information("{0} does not run (--exclusive): the plan promotes {1} with a placeholder for its digest; a real run needs it.", Tasks.TaskNames.ResolveSnapshot, tag);
            context.UsePromotion(new Promotion(tag, version.Commit.Sha, Registry.ImageDigest.Placeholder($"the digest {Tasks.TaskNames.ResolveSnapshot} proves"),
                context.Settings.Image.Reference(tag.ToString()), release, context.Settings.Image.Reference(release)));
        }
    }

    /// <summary>
    /// In GitHub Actions, the failure's one line is also an error annotation on the run (on the
    /// file and line, when it is about a file such as pyproject.toml). It does not go through the
    /// log, so it is scrubbed here.
    /// </summary>
    private static void AnnotateFailure(BuildContext context, Exception? failure)
    {
        if (failure is null || !context.GitHubActions().IsRunningOnGitHubActions) return;
        if (failure is AggregateException { InnerExceptions.Count: 1 } aggregate) failure = aggregate.InnerExceptions[0];
        var located = failure as PipelineException;
        context.GitHubActions().Commands.Error(SecretScrubber.Scrub(failure.Message), located?.File is { } file
            ? new Cake.Common.Build.GitHubActions.Data.GitHubActionsAnnotation { File = file, StartLine = located.Line }
            : null);
    }

    /// <summary>Every secret the settings read (AWS's keys included) is masked before anything can print it.</summary>
    private static void MaskSecrets(BuildContext context) => context.MaskInGitHubActions(context.Settings.Secrets);

    public override void Teardown(BuildContext context, ITeardownContext info)
    {
        context.Settings.DeployTo?.Connection?.Dispose();
        foreach (var environment in context.Settings.EveryEnvironment) environment.Connection?.Dispose();
        AnnotateFailure(context, info.ThrownException);
        if (!context.IsDryRun)
        {
            if (context.Image is { } image)
            {
                Snapshot.DevReport.Write(context, image, info.Successful ? "deployed" : "pushed, not deployed", _elapsed.Elapsed);
            }
            if (context.HasPromotion)
            {
                Snapshot.PromoteReport.Write(context, info.Successful, info.ThrownException);
            }
            return;
        }

        context.Information("Dry run: nothing was executed; {0} action(s) planned above.", context.Effects.Performed.Count);
        if (_missingForRealRun.Count > 0)
        {
            context.Information("A real run also needs:");
            foreach (var problem in _missingForRealRun)
            {
                context.Information("  {0}", problem);
            }
        }
    }
}
