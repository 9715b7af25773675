using Cake.Common.Diagnostics;
using Cake.Frosting;
using Pipeline.Docker;
using Pipeline.Effects;
using Pipeline.Registry;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Retag)]
[Uses(nameof(S.RetagMode))]
[UsesSettingsOf(typeof(RegistryAccess))]
[TaskDescription("Gives the tested image the tag vX.Y.Z byte for byte, without a rebuild; refuses a release tag that names another image.")]
[IsDependentOn(typeof(Release))]
public sealed class Retag(RegistryAccess registry) : AsyncPipelineTask
{
    public override async Task RunAsync(BuildContext context)
    {
        var promotion = context.Promotion;

        var (_, existing) = await registry.Read(registry => registry.HeadManifest(promotion.ReleaseReference),
            $"the plan assumes {promotion.ReleaseReference} is a new tag.");
        if (existing is not null)
        {
            // ECR Public cannot make tags immutable; the pipeline does.
            if (existing.Digest != promotion.Digest)
            {
                throw new BuildInputException($"{promotion.ReleaseReference} already names {existing.Digest}, not the tested {promotion.Digest}: a release tag is never moved. Bump the version on dev to release this snapshot.");
            }
            context.Information("{0} already names {1}: nothing to do.", promotion.ReleaseReference, promotion.Digest);
            context.NotePromotionStep($"image: {promotion.ReleaseReference}@{promotion.Digest} (already tagged)");
            return;
        }

        if (context.Settings.RetagMode == RetagMode.Registry) await ByRegistry(context, promotion);
        else await ByDocker(context, promotion);

        if (!context.IsDryRun)
        {
            var after = await registry.Api.HeadManifest(promotion.ReleaseReference);
            if (after?.Digest != promotion.Digest)
            {
                throw new RegistryException($"{promotion.ReleaseReference} names {after?.Digest.Value ?? "nothing"} after tagging, not {promotion.Digest}: look at the registry before re-running.");
            }
        }
        context.Information("{0} names {1}, the tested image.", promotion.ReleaseReference, promotion.Digest);
        context.NotePromotionStep($"image: {promotion.ReleaseReference}@{promotion.Digest}");
    }

    /// <summary>The OCI way: the manifest's exact bytes under a second tag; no layer moves.</summary>
    private async Task ByRegistry(BuildContext context, Promotion promotion)
    {
        var (_, manifest) = await registry.Read(registry => registry.GetManifest(promotion.SnapshotReference),
            $"the plan puts the bytes of {promotion.SnapshotTag} under {promotion.ReleaseTag} as they are.");
        if (manifest is null && !context.IsDryRun)
        {
            throw new BuildInputException($"{promotion.SnapshotReference} is not in the registry any more: run Dev for its commit, then Promote.");
        }
        if (manifest is not null && manifest.Digest != promotion.Digest)
        {
            throw new BuildInputException($"The bytes under {promotion.SnapshotReference} hash to {manifest.Digest}, not the tested {promotion.Digest}: refusing to release them.");
        }

        var description = manifest is null
            ? $"PUT {RegistryClient.ManifestUrl(promotion.ReleaseReference)} (the exact bytes of {promotion.SnapshotTag}, {promotion.Digest})"
            : $"PUT {RegistryClient.ManifestUrl(promotion.ReleaseReference)} Content-Type: {manifest.MediaType} ({manifest.Bytes.Length} bytes, {manifest.Digest})";
        var reported = await context.Effects.Perform(new Call<string>(description,
            () => registry.Api.PutManifest(promotion.ReleaseReference, manifest!), promotion.Digest.Value));
        if (reported.Length > 0 && reported != promotion.Digest.Value)
        {
            throw new RegistryException($"The registry stored {promotion.ReleaseTag} as {reported}, not {promotion.Digest}: it changed the bytes; use --retag-mode=docker or look at the registry.");
        }
    }

    /// <summary>The seed's way, for registries that refuse manifest PUTs: pull, tag, push.</summary>
    private async Task ByDocker(BuildContext context, Promotion promotion)
    {
        if (await registry.Login() is { } credentials)
        {
            await context.Docker.Run(new DockerLogin(context.Settings.Image.Registry.Host, credentials.Username, credentials.Password));
        }
        await context.Docker.Run(new DockerPull(promotion.SnapshotReference));
        await context.Docker.Run(new DockerTag(promotion.SnapshotReference, promotion.ReleaseReference));
        await context.Docker.Run(new DockerPush(promotion.ReleaseReference));
    }
}
