using Cake.Frosting;
using Pipeline.Docker;
using Pipeline.Registry;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Push)]
[Uses(nameof(S.Registry), nameof(S.Repository), nameof(S.HttpRetries), nameof(S.HttpTimeout))]
[TaskDescription("Pushes the snapshot image, never over an existing tag, and reads its digest back from the registry.")]
[IsDependentOn(typeof(Build))]
public sealed class Push(RegistryAccess registry) : AsyncPipelineTask
{
    public override async Task RunAsync(BuildContext context)
    {
        if (await AlreadyPublished.Found(context, registry)) return;
        var snapshot = context.SnapshotReference;

        // ECR Public cannot make tags immutable, so the pipeline does: a tag that appeared since
        // the first look (another run of the same commit) is never pushed over.
        if (!context.IsDryRun && await registry.Api.HeadManifest(snapshot) is { } appeared)
        {
            throw new BuildInputException($"{context.SnapshotReference} appeared in the registry as {appeared.Digest} while this run was building; a snapshot tag is never overwritten. Re-run Dev to deploy that image.");
        }

        await context.Docker.Run(new DockerPush(context.SnapshotReference));

        var digest = context.IsDryRun
            ? ImageDigest.Placeholder("the digest the registry reports after the push")
            : (await registry.Api.HeadManifest(snapshot))?.Digest
              ?? throw new RegistryException($"{context.SnapshotReference} is not in the registry right after the push.");
        context.UseImage(new PublishedImage(context.SnapshotReference, digest));
    }
}
