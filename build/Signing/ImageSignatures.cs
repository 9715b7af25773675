using Cake.Common.Diagnostics;
using Pipeline.Effects;
using Pipeline.Registry;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Signing;

/// <summary>
/// Sign once, verify everywhere: Push signs the digest it pushed, and every deploy (and
/// ResolveSnapshot, before anything is created) verifies the exact digest it is about to run
/// against the committed public keys. Reads go through <see cref="RegistryAccess"/> like every
/// registry read; the signature's upload is one planned action.
/// </summary>
[Uses(nameof(S.SigningPublicKey), nameof(S.Registry), nameof(S.Repository))]
[UsesSettingsOf(typeof(RegistryAccess))]
public sealed class ImageSignatures(RegistryAccess registry)
{
    /// <summary>Signs the image this run pushed; a valid signature by the same key already there is left as it is.</summary>
    public async Task Sign(BuildContext context, PublishedImage image)
    {
        var settings = context.Settings;
        var repository = image.Reference.Repository;
        if (settings.SigningOff)
        {
            context.Warning("Signing is off (--signing=off): {0}@{1} stays unsigned, and every deploy will refuse it.", repository, image.Digest);
            return;
        }
        if (settings.SigningKey is not { } key)
        {
            // Only a dry run gets here: a real run without the key is refused before it builds.
            context.Information("The plan signs {0}@{1} with SIGNING_KEY (not set here) and puts the signature under {2}.", repository, image.Digest, CosignSignatures.TagFor(image.Digest));
            return;
        }
        SignatureUpload? upload = null;
        if (!Placeholders.IsPlaceholder(image.Digest.Value))
        {
            var (answered, found) = await registry.Read(api => CosignSignatures.Prepare(api, repository, image.Digest, key),
                "the plan assumes the image carries no signature yet.");
            if (answered && found is null)
            {
                context.Information("{0}@{1} already carries a valid signature by key {2}: nothing to sign.", repository, image.Digest, key.PublicKey.Id);
                return;
            }
            upload = found;
        }
        // A plan without the digest, or without the registry's answer, signs as if no signature were there yet.
        upload ??= CosignSignatures.Made(repository, image.Digest, key);
        await context.Effects.Perform(new Call<bool>(
            $"sign {repository}@{image.Digest} with key {key.PublicKey.Id}: upload the simple-signing payload that names it and the signature's config as blobs, "
            + $"then PUT {RegistryClient.ManifestUrl(upload.Reference)} Content-Type: {upload.Manifest.MediaType} (the payload's layer, its signature in {CosignSignatures.SignatureAnnotation})",
            async () => { await CosignSignatures.Upload(registry.Api, upload); return true; }, true));
        context.Information("The signature of {0}@{1} by key {2} is {3}.", repository, image.Digest, key.PublicKey.Id, upload.Reference);
    }

    /// <summary>
    /// Refuses, with one line, to go on with an image that carries no valid signature by a
    /// committed key for exactly this digest and repository. Hosts then pull by this digest.
    /// </summary>
    public async Task Verify(BuildContext context, ImageRepository repository, ImageDigest digest, string before)
    {
        var keys = context.Settings.TrustedKeys;
        if (Placeholders.IsPlaceholder(digest.Value) || keys is null)
        {
            // Only a dry run gets here: a real run has the digest, and is refused up front without the keys.
            context.Information("The plan verifies the signature of {0}@{1} with {2} before {3}.", repository, digest, keys?.Describe() ?? context.Settings.SigningPublicKeyFile, before);
            return;
        }
        var (answered, check) = await registry.Read<SignatureCheck>(async api => await CosignSignatures.Check(api, repository, digest, keys),
            $"the plan assumes {repository}@{digest} is signed.");
        if (!answered) return;
        if (check!.Finding != SignatureFinding.Verified)
        {
            throw new BuildInputException($"Refusing {repository}@{digest}: {check.Detail}; only images this pipeline built and signed are deployed. Deploy an image Dev pushed and signed, or sign this one with the key of {keys.Source} (README: Signing).");
        }
        context.Information("Verified {0}@{1}: {2} ({3}).", repository, digest, check.Detail, keys.Source);
    }
}
