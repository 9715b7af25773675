using Cake.Common.Build;
using Cake.Frosting;
using Pipeline.Docker;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Build)]
[TaskDescription("Builds the root Dockerfile as <registry>/<repository>:X.Y.Z-SNAPSHOT-<sha7>.")]
[IsDependentOn(typeof(Login))]
public sealed class Build : AsyncFrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) =>
        context.ShouldRun(context.ShouldBuildImage, AlreadyPublished.Reason(context));

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

internal static class AlreadyPublished
{
    public static string Reason(BuildContext context) =>
        $"{context.SnapshotReference} is already in the registry as {context.AlreadyPublished?.Digest}: a snapshot tag names one build forever, so this run deploys that image instead of building another.";
}
