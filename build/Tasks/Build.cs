using Cake.Common.Build;
using Cake.Frosting;
using Pipeline.Docker;
using Pipeline.Registry;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Build)]
[Uses(nameof(S.Registry), nameof(S.Repository), nameof(S.BaseImage), nameof(S.HttpRetries), nameof(S.HttpTimeout))]
[TaskDescription("Builds the root Dockerfile as <registry>/<repository>:X.Y.Z-SNAPSHOT-<sha7>.")]
[IsDependentOn(typeof(Login))]
public sealed class Build(RegistryAccess registry) : AsyncPipelineTask
{
    public override bool ShouldRun(BuildContext context) => AlreadyPublished.ShouldBuild(context, registry, TaskNames.Build);

    public override async Task RunAsync(BuildContext context)
    {
        var version = context.Version;
        var arguments = new List<KeyValuePair<string, string>>
        {
            new("VERSION", version.Version.ToString()),
            new("COMMIT", version.Commit.Sha),
            new("CREATED", Snapshot.SnapshotRecord.Timestamp(version.Commit.CommittedAt)),
        };
        var github = context.GitHubActions();
        if (github.IsRunningOnGitHubActions)
        {
            arguments.Add(new("SOURCE", $"{github.Environment.Workflow.ServerUrl}/{github.Environment.Workflow.Repository}"));
        }
        if (context.Settings.BaseImage is { } baseImage)
        {
            arguments.Add(new("BASE_IMAGE", baseImage));
        }
        await context.Docker.Run(new DockerBuild(context.RepositoryRoot, context.SnapshotReference, arguments));
    }
}

/// <summary>A snapshot tag names one build forever: a re-run of a commit deploys the image it already has.</summary>
internal static class AlreadyPublished
{
    public static bool ShouldBuild(BuildContext context, RegistryAccess registry, string task)
    {
        PublishedImage? published = null;
        try
        {
            published = registry.PublishedSnapshot().GetAwaiter().GetResult();
        }
        catch (Exception exception)
        {
            // Cake asks ShouldRun outside the task's error handling: name the task here.
            TaskFailure.Rethrow(task, exception);
        }
        if (published is not null) context.UseImage(published);
        return context.ShouldRun(published is null,
            $"{context.SnapshotReference} is already in the registry as {published?.Digest}: a snapshot tag names one build forever, so this run deploys that image instead of building another.");
    }
}
