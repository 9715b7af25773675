using Cake.Common.Diagnostics;
using Cake.Frosting;
using Pipeline.Registry;
using Pipeline.Snapshot;
using Pipeline.Versioning;
using Pipeline.Settings;
using Pipeline.Signing;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.ResolveSnapshot)]
[Uses(nameof(S.SnapshotTag), nameof(S.SnapshotFile))]
[UsesSettingsOf(typeof(RegistryAccess))]
[UsesSettingsOf(typeof(ImageSignatures))]
[TaskDescription("Takes the snapshot Dev built (--snapshot-file or --snapshot-tag), never a guess, and proves it may be released from HEAD and that this pipeline signed it.")]
[IsDependentOn(typeof(ReadVersion))]
public sealed class ResolveSnapshot(RegistryAccess registry, ImageSignatures signatures) : AsyncPipelineTask
{
    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var record = settings.SnapshotFile is { } file ? SnapshotInput.Load(Path.Combine(context.RepositoryRoot, file)) : null;
        var tag = record is not null ? Parse(record.SnapshotTag) : settings.SnapshotTag ?? PlannedSnapshot(context);
        if (record is not null && settings.SnapshotTag is { } given && given != tag)
        {
            throw new BuildInputException($"--snapshot-tag {given} and the record's snapshotTag {tag} differ: give one of them.");
        }

        var version = context.Version.Version;
        if (tag.Version != version)
        {
            throw new BuildInputException($"The snapshot {tag} is version {tag.Version}, but pyproject.toml on this commit says {version}: promote a snapshot built from version {version}.");
        }

        var commit = record?.Commit ?? SnapshotAncestry.Resolve(context.RepositoryRoot, tag.ShortSha);
        SnapshotAncestry.Check(context.RepositoryRoot, commit);

        var snapshotReference = settings.Image.Reference(tag.ToString());
        if (record is not null && settings.Image.Registry.IsPlaceholder)
        {
            // Only a dry run gets here without a registry (a real run is refused up front).
            context.Information("The registry is not set; the plan cannot check that the record's image {0} is in it.", record.Image);
        }
        else if (record is not null && record.Image != snapshotReference.ToString())
        {
            throw new BuildInputException($"The record's image {record.Image} is not {snapshotReference}: promote within the registry and repository that Dev pushed to.");
        }

        await registry.Login();
        var digest = await RegistryDigest(context, tag, record);

        await signatures.Verify(context, settings.Image, digest, "anything is released");

        var releaseTag = version.ReleaseTag;
        context.UsePromotion(new Promotion(tag, commit, digest, snapshotReference, releaseTag, settings.Image.Reference(releaseTag)));
        context.Information("Promoting {0}@{1} (commit {2}) as {3}", snapshotReference, digest, commit, releaseTag);
    }

    private async Task<ImageDigest> RegistryDigest(BuildContext context, SnapshotTag tag, SnapshotRecord? record)
    {
        var reference = context.Settings.Image.Reference(tag.ToString());
        // The bytes themselves, hashed here: a header is the registry's word, and nothing may be
        // created on GitHub for bytes that are not the tested ones.
        var (answered, found) = await registry.Read(api => api.GetManifest(reference),
            record is null ? $"the plan goes on with a placeholder for the digest of {reference}." : "the plan goes on with the record's digest.");
        if (!answered)
        {
            return record is not null ? ImageDigest.Parse(record.Digest) : ImageDigest.Placeholder($"the digest of {reference}");
        }

        if (found is null)
        {
            throw new BuildInputException($"{reference} is not in the registry: Dev has not pushed this snapshot (or it was deleted); run Dev for its commit first.");
        }
        if (found.ReportedDigest is { } reported && reported != found.Digest)
        {
            throw new BuildInputException($"The bytes under {reference} hash to {found.Digest}, not the {reported} the registry reports: refusing to release them; look at the registry.");
        }
        if (record is not null && found.Digest != ImageDigest.Parse(record.Digest))
        {
            throw new BuildInputException($"{reference} now names {found.Digest}, not the tested {record.Digest} of the record: the tag was overwritten; refusing to release an untested image.");
        }
        return found.Digest;
    }

    /// <summary>
    /// Only a dry run gets here without a snapshot (a real run is refused up front): it plans
    /// HEAD's own snapshot tag, and says so, since a promotion never guesses one.
    /// </summary>
    private static SnapshotTag PlannedSnapshot(BuildContext context)
    {
        var tag = context.Version.SnapshotTag;
        context.Information("No --snapshot-tag or --snapshot-file given; the plan uses HEAD's snapshot tag {0} (a real run needs one of them).", tag);
        return tag;
    }

    private static SnapshotTag Parse(string text) =>
        SnapshotTag.TryParse(text, out var tag) ? tag! : throw new BuildInputException($"The record's snapshotTag {text} is not X.Y.Z-SNAPSHOT-<sha7>.");
}
