using Cake.Frosting;
using Pipeline.Docker;
using Pipeline.Registry;
using Pipeline.Settings;
using Pipeline.Signing;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Push)]
[Uses(nameof(S.Registry), nameof(S.Repository), nameof(S.HttpRetries), nameof(S.HttpTimeout), nameof(S.SigningKey), nameof(S.SigningKeyFile), nameof(S.Signing))]
[UsesSettingsOf(typeof(ImageSignatures))]
[TaskDescription("Pushes the snapshot image, never over an existing tag, reads its digest back from the registry and signs that digest with SIGNING_KEY (cosign's format, beside the image), so that every deploy can verify it.")]
[IsDependentOn(typeof(Build))]
public sealed class Push(RegistryAccess registry, ImageSignatures signatures) : AsyncPipelineTask
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
        var pushed = new PublishedImage(context.SnapshotReference, digest);
        context.UseImage(pushed);

        // Only what this run pushed is signed: an image found under the tag (a re-run, above)
        // keeps the signature its own run made, and every deploy verifies it.
        await signatures.Sign(context, pushed);
    }
}
