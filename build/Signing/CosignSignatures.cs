using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Registry;

namespace Pipeline.Signing;

/// <summary>What a look at an image's signatures found, from the best news to the worst.</summary>
public enum SignatureFinding
{
    /// <summary>A signature by a trusted key whose payload names this digest in this repository.</summary>
    Verified,
    /// <summary>No signature manifest, or one without a simple-signing layer.</summary>
    NoSignature,
    /// <summary>Signatures, none of them by a trusted key.</summary>
    OtherKey,
    /// <summary>A trusted key signed a payload that is no cosign simple-signing payload.</summary>
    Malformed,
    /// <summary>A trusted key signed a payload that names another repository.</summary>
    OtherRepository,
    /// <summary>A trusted key signed a payload that names another digest (a signature copied from another image).</summary>
    OtherDigest,
}

/// <summary>A finding and its words: which key, or what the payload named instead.</summary>
public sealed record SignatureCheck(SignatureFinding Finding, string Detail);

/// <summary>
/// cosign's signatures in the registry (sigstore/cosign specs/SIGNATURE_SPEC.md): tag-based
/// discovery (sha256-&lt;hex&gt;.sig in the image's own repository), an OCI image manifest whose
/// layers are simple-signing payloads, each with its base64 signature in an annotation.
/// </summary>
public static class CosignSignatures
{
    public const string SignatureAnnotation = "dev.cosignproject.cosign/signature";
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    private const string OciConfig = "application/vnd.oci.image.config.v1+json";
    private const int MaxPayloadBytes = 64 * 1024;

    /// <summary>The tag that holds an image's signatures: sha256:abc... becomes sha256-abc....sig.</summary>
    public static string TagFor(ImageDigest digest) => digest.Value.Replace(':', '-') + ".sig";

    public static ImageReference ReferenceFor(ImageRepository repository, ImageDigest digest) => repository.Reference(TagFor(digest));

    /// <summary>
    /// Whether the image carries a signature by one of the keys for exactly this digest and
    /// repository. A payload is trusted only once its signature verifies; then what it names is
    /// compared. When nothing verifies, the most telling finding is reported.
    /// </summary>
    public static async Task<SignatureCheck> Check(RegistryClient registry, ImageRepository repository, ImageDigest digest, TrustedKeys keys) =>
        await Judge(registry, repository, digest, keys, await Layers(registry, repository, digest));

    private static async Task<SignatureCheck> Judge(RegistryClient registry, ImageRepository repository, ImageDigest digest, TrustedKeys keys, IReadOnlyList<SignatureLayer> layers)
    {
        if (layers.Count == 0) return new SignatureCheck(SignatureFinding.NoSignature, $"no signature ({ReferenceFor(repository, digest).Tag} is not in the registry)");
        var worst = new SignatureCheck(SignatureFinding.OtherKey, $"{layers.Count} signature(s), none by a key of {keys.Describe()}");
        foreach (var layer in layers)
        {
            var payload = await registry.GetBlob(repository.Path, layer.PayloadDigest, MaxPayloadBytes);
            if (payload is null || layer.Signature is null || keys.SignerOf(payload, layer.Signature) is not { } signer) continue;
            var check = Compare(SimpleSigningPayload.Read(payload), repository, digest, signer);
            if (check.Finding == SignatureFinding.Verified) return check;
            if (check.Finding > worst.Finding) worst = check;
        }
        return worst;
    }

    private static SignatureCheck Compare(SimpleSigningPayload? payload, ImageRepository repository, ImageDigest digest, TrustedKey signer)
    {
        if (payload is null) return new SignatureCheck(SignatureFinding.Malformed, $"key {signer.Id} signed a payload that is not cosign's simple signing");
        if (payload.Digest != digest) return new SignatureCheck(SignatureFinding.OtherDigest, $"key {signer.Id}'s signature names {payload.Digest}, another image");
        if (payload.DockerReference != repository.ToString()) return new SignatureCheck(SignatureFinding.OtherRepository, $"key {signer.Id}'s signature names the repository {payload.DockerReference}");
        return new SignatureCheck(SignatureFinding.Verified, $"signed by key {signer.Id}");
    }

    /// <summary>
    /// The signature manifest to put under <see cref="TagFor"/>: the existing layers (other
    /// signatures are kept, as cosign keeps them) and a new one, or null when the image already
    /// carries a valid signature by this key.
    /// </summary>
    public static async Task<SignatureUpload?> Prepare(RegistryClient registry, ImageRepository repository, ImageDigest digest, SigningKey key)
    {
        var layers = await Layers(registry, repository, digest);
        var byThisKey = await Judge(registry, repository, digest, TrustedKeys.Only("the signing key", key.PublicKey), layers);
        return byThisKey.Finding == SignatureFinding.Verified ? null : Made(repository, digest, key, layers);
    }

    /// <summary>The signature manifest of an image with no signature yet (what a plan that could not read the registry assumes).</summary>
    public static SignatureUpload Made(ImageRepository repository, ImageDigest digest, SigningKey key) => Made(repository, digest, key, []);

    private static SignatureUpload Made(ImageRepository repository, ImageDigest digest, SigningKey key, IReadOnlyList<SignatureLayer> layers)
    {
        var payload = SimpleSigningPayload.For(repository, digest).ToBytes();
        var descriptors = layers.Select(layer => layer.Descriptor).Append(Descriptor(payload, key.Sign(payload))).ToList();
        var config = Config(descriptors);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciManifest,
            ["config"] = new JsonObject { ["mediaType"] = OciConfig, ["size"] = config.Length, ["digest"] = ImageDigest.Of(config).Value },
            ["layers"] = new JsonArray([.. descriptors]),
        };
        var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        return new SignatureUpload(ReferenceFor(repository, digest), payload, config, new Manifest(bytes, OciManifest, ImageDigest.Of(bytes)));
    }

    /// <summary>Uploads what <see cref="Prepare"/> made: the blobs first, then the manifest that names them.</summary>
    public static async Task Upload(RegistryClient registry, SignatureUpload upload)
    {
        var path = upload.Reference.Repository.Path;
        await registry.PutBlob(path, upload.Payload);
        await registry.PutBlob(path, upload.Config);
        await registry.PutManifest(upload.Reference, upload.Manifest);
    }

    private static JsonObject Descriptor(byte[] payload, string signature) => new()
    {
        ["mediaType"] = SimpleSigningPayload.MediaType,
        ["size"] = payload.Length,
        ["digest"] = ImageDigest.Of(payload).Value,
        ["annotations"] = new JsonObject { [SignatureAnnotation] = signature },
    };

    /// <summary>The image config cosign writes for a signature manifest: empty, its rootfs listing the payloads.</summary>
    private static byte[] Config(IEnumerable<JsonObject> layers) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["architecture"] = "",
        ["created"] = "0001-01-01T00:00:00Z",
        ["history"] = new JsonArray(new JsonObject { ["created"] = "0001-01-01T00:00:00Z" }),
        ["os"] = "",
        ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray([.. layers.Select(layer => JsonValue.Create(layer["digest"]!.GetValue<string>()))]) },
        ["config"] = new JsonObject(),
    }.ToJsonString());

    private sealed record SignatureLayer(ImageDigest PayloadDigest, string? Signature, JsonObject Descriptor);

    /// <summary>The simple-signing layers of the image's signature manifest; none when there is no manifest.</summary>
    private static async Task<IReadOnlyList<SignatureLayer>> Layers(RegistryClient registry, ImageRepository repository, ImageDigest digest)
    {
        var manifest = await registry.GetManifest(ReferenceFor(repository, digest));
        if (manifest is null) return [];
        try
        {
            var layers = JsonNode.Parse(manifest.Bytes)?["layers"] as JsonArray ?? [];
            return layers.OfType<JsonObject>()
                .Where(layer => layer["mediaType"]?.GetValueKind() == JsonValueKind.String && layer["mediaType"]!.GetValue<string>() == SimpleSigningPayload.MediaType)
                .Where(layer => layer["digest"]?.GetValueKind() == JsonValueKind.String && ImageGrammar.Digest().IsMatch(layer["digest"]!.GetValue<string>()))
                .Select(layer => new SignatureLayer(ImageDigest.Parse(layer["digest"]!.GetValue<string>()),
                    layer["annotations"]?[SignatureAnnotation] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null,
                    (JsonObject)layer.DeepClone()))
                .ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }
}

/// <summary>A signature ready to upload: its payload and config blobs and the manifest naming them.</summary>
public sealed record SignatureUpload(ImageReference Reference, byte[] Payload, byte[] Config, Manifest Manifest);
