using System.Text;
using System.Text.Json;
using Pipeline.Registry;

namespace Pipeline.Signing;

/// <summary>
/// What a cosign signature signs: the "simple signing" JSON of containers-signature(5), with
/// cosign's type (sigstore/cosign specs/SIGNATURE_SPEC.md, "Payloads"). Written byte for byte as
/// cosign writes it; read strictly: the critical section must hold exactly identity, image and
/// type (containers-signature(5): consumers reject any other critical field).
/// </summary>
public sealed record SimpleSigningPayload(string DockerReference, ImageDigest Digest)
{
    public const string MediaType = "application/vnd.dev.cosign.simplesigning.v1+json";
    public const string CosignType = "cosign container image signature";

    /// <summary>The payload for an image of a repository: cosign names the repository without a tag.</summary>
    public static SimpleSigningPayload For(ImageRepository repository, ImageDigest digest) => new(repository.ToString(), digest);

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(
        "{\"critical\":{\"identity\":{\"docker-reference\":" + JsonSerializer.Serialize(DockerReference) +
        "},\"image\":{\"docker-manifest-digest\":" + JsonSerializer.Serialize(Digest.Value) +
        "},\"type\":\"" + CosignType + "\"},\"optional\":null}");

    /// <summary>The payload a signature covers, or null when the bytes are not a cosign simple-signing payload.</summary>
    public static SimpleSigningPayload? Read(byte[] bytes)
    {
        try
        {
            using var json = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false });
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("critical", out var critical) || critical.ValueKind != JsonValueKind.Object) return null;
            if (critical.EnumerateObject().Select(property => property.Name).Order(StringComparer.Ordinal).SequenceEqual(["identity", "image", "type"]) is false) return null;
            if (Text(critical, "type") != CosignType) return null;
            var reference = Text(critical.GetProperty("identity"), "docker-reference");
            var digest = Text(critical.GetProperty("image"), "docker-manifest-digest");
            return reference is null || digest is null || !ImageGrammar.Digest().IsMatch(digest) ? null : new SimpleSigningPayload(reference, ImageDigest.Parse(digest));
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
