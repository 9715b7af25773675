using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Registry;
using Pipeline.Settings;
using Pipeline.Signing;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Signing;

/// <summary>
/// Signatures made in the test registry, good and bad, judged by the pipeline's check and by a
/// second verifier written from cosign's specification in Python (tests/env/cosign_verify.py):
/// the two must agree on every case, and both must say what the case is.
/// </summary>
[Category(TestTiers.EndToEnd)]
[NonParallelizable]
public sealed class SignatureAgreementTests
{
    private TestEnvironment _environment = null!;
    private RegistryHttp _http = null!;
    private RegistryClient _registry = null!;
    private ImageRepository _repository = null!;
    private readonly string _name = $"sig-{Guid.NewGuid():N}"[..16];

    [SetUp]
    public void Registry()
    {
        _environment = TestEnvironment.Require();
        _http = new RegistryHttp(_environment, _name);
        var address = RegistryAddress.Parse(_environment.Registry);
        _registry = new RegistryClient(address, new RegistryCredentials(_environment.RegistryUsername, new Secret(_environment.RegistryPassword)));
        _repository = new ImageRepository(address, _name);
    }

    [TearDown]
    public void Close()
    {
        _registry?.Dispose();
        _http?.Dispose();
    }

    private static TrustedKeys Keys(params string[] files) => TrustedKeys.Read("cosign.pub", string.Concat(files.Select(File.ReadAllText)));

    private static SigningKey Key(string file) => SigningKey.Read(new Secret(File.ReadAllText(file)));

    /// <summary>A small image of its own (another label, another digest) under a tag.</summary>
    private async Task<ImageDigest> Image(string tag)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Labels\":{{\"case\":\"{tag}\"}}}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[]}}}}");
        var configDigest = await _http.PutBlob(config);
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}},\"layers\":[]}}");
        return ImageDigest.Parse(await _http.Put(tag, manifest, "application/vnd.oci.image.manifest.v1+json"));
    }

    private Task Sign(ImageDigest digest, string keyFile, string? namedAs = null) => _http.SignWith(keyFile, digest.Value, namedAs);

    /// <summary>Both verifiers' words for the case: the pipeline's finding and the Python verifier's, as the same names.</summary>
    private async Task<(string Pipeline, string Python, string PythonLine)> Judge(ImageDigest digest, params string[] keyFiles)
    {
        var pipeline = (await CosignSignatures.Check(_registry, _repository, digest, Keys(keyFiles))).Finding;
        var keys = Path.Combine(Path.GetTempPath(), $"keys-{Guid.NewGuid():N}.pub");
        File.WriteAllText(keys, string.Concat(keyFiles.Select(File.ReadAllText)));
        try
        {
            var python = _http.VerifyInPython(digest.Value, keys);
            Assert.That(python.ExitCode, Is.EqualTo(pipeline == SignatureFinding.Verified ? 0 : 1), python.Output + python.Error);
            return (Kebab(pipeline.ToString()), python.Output.Split(':')[0].Trim(), python.Output.Trim());
        }
        finally
        {
            File.Delete(keys);
        }
    }

    private static string Kebab(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private async Task AssertBothSay(string expected, ImageDigest digest, params string[] keyFiles)
    {
        var (pipeline, python, line) = await Judge(digest, keyFiles);
        Assert.That((pipeline, python), Is.EqualTo((expected, expected)), $"the Python verifier said: {line}");
    }

    [Test]
    public async Task ASignatureByTheKeyVerifiesAndSigningAgainChangesNothing()
    {
        var digest = await Image("signed");
        await Sign(digest, TestKeys.SigningKeyFile);
        var signature = await _http.Get(CosignSignatures.TagFor(digest));

        await AssertBothSay("verified", digest, TestKeys.PublicKeyFile);
        using var key = Key(TestKeys.SigningKeyFile);
        Assert.That(await CosignSignatures.Prepare(_registry, _repository, digest, key), Is.Null, "a valid signature by the key is kept as it is");
        Assert.That((await _http.Get(CosignSignatures.TagFor(digest))).Bytes, Is.EqualTo(signature.Bytes));

        // The manifest is cosign's: one simple-signing layer, its signature in the annotation.
        var layer = JsonNode.Parse(signature.Bytes)!["layers"]![0]!;
        Assert.That(signature.MediaType, Is.EqualTo("application/vnd.oci.image.manifest.v1+json"));
        Assert.That(layer["mediaType"]!.GetValue<string>(), Is.EqualTo("application/vnd.dev.cosign.simplesigning.v1+json"));
        Assert.That(Encoding.UTF8.GetString(await _http.GetBlob(layer["digest"]!.GetValue<string>())), Is.EqualTo(
            $"{{\"critical\":{{\"identity\":{{\"docker-reference\":\"{_environment.Registry}/{_name}\"}},\"image\":{{\"docker-manifest-digest\":\"{digest}\"}},\"type\":\"cosign container image signature\"}},\"optional\":null}}"));
        Assert.That(layer["annotations"]!["dev.cosignproject.cosign/signature"]!.GetValue<string>(), Does.Match("^MEU|^MEQ|^MEY"), "base64 of an ASN.1 DER ECDSA signature");
    }

    [Test]
    public async Task AnUnsignedImageHasNoSignature() => await AssertBothSay("no-signature", await Image("unsigned"), TestKeys.PublicKeyFile);

    [Test]
    public async Task AnImageSignedByAnotherKeyIsRefused()
    {
        var digest = await Image("other-key");
        await Sign(digest, TestKeys.OtherKeyFile);

        await AssertBothSay("other-key", digest, TestKeys.PublicKeyFile);
    }

    [Test]
    public async Task DuringARotationASignatureByEitherKeyVerifiesAndAnotherSignatureBesideItIsKept()
    {
        var digest = await Image("rotation");
        await Sign(digest, TestKeys.OtherKeyFile);
        await AssertBothSay("verified", digest, TestKeys.PublicKeyFile, TestKeys.OtherPublicKeyFile);

        await Sign(digest, TestKeys.SigningKeyFile);
        Assert.That(JsonNode.Parse((await _http.Get(CosignSignatures.TagFor(digest))).Bytes)!["layers"]!.AsArray(), Has.Count.EqualTo(2));
        await AssertBothSay("verified", digest, TestKeys.PublicKeyFile);
    }

    [Test]
    public async Task ASignatureCopiedFromAnotherImageNamesThatImage()
    {
        var signed = await Image("original");
        await Sign(signed, TestKeys.SigningKeyFile);
        var copy = await Image("copy");
        var (bytes, mediaType) = await _http.Get(CosignSignatures.TagFor(signed));
        await _http.Put(CosignSignatures.TagFor(copy), bytes, mediaType);

        await AssertBothSay("other-digest", copy, TestKeys.PublicKeyFile);
    }

    [Test]
    public async Task ASignatureNamingAnotherRepositoryIsRefused()
    {
        var digest = await Image("elsewhere");
        // A repository of its own: the signature is read there first, and nothing of an earlier run may be found.
        await Sign(digest, TestKeys.SigningKeyFile, $"{_environment.Registry}/{_name}-elsewhere");

        await AssertBothSay("other-repository", digest, TestKeys.PublicKeyFile);
    }

    [Test]
    public async Task ASignedPayloadThatIsNotCosignsSimpleSigningIsRefused()
    {
        var digest = await Image("malformed");
        using var key = Key(TestKeys.SigningKeyFile);
        // A trusted key's signature over a payload with a critical field cosign does not know.
        var payload = Encoding.UTF8.GetBytes(
            $"{{\"critical\":{{\"identity\":{{\"docker-reference\":\"{_environment.Registry}/{_name}\"}},\"image\":{{\"docker-manifest-digest\":\"{digest}\"}},\"type\":\"cosign container image signature\",\"extra\":1}},\"optional\":null}}");
        var payloadDigest = await _http.PutBlob(payload);
        var config = Encoding.UTF8.GetBytes("{}");
        var configDigest = await _http.PutBlob(config);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["size"] = config.Length, ["digest"] = configDigest },
            ["layers"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.dev.cosign.simplesigning.v1+json", ["size"] = payload.Length, ["digest"] = payloadDigest,
                ["annotations"] = new JsonObject { ["dev.cosignproject.cosign/signature"] = key.Sign(payload) },
            }),
        };
        await _http.Put(CosignSignatures.TagFor(digest), Encoding.UTF8.GetBytes(manifest.ToJsonString()), "application/vnd.oci.image.manifest.v1+json");

        await AssertBothSay("malformed", digest, TestKeys.PublicKeyFile);
    }

    [Test]
    public async Task ATamperedSignatureVerifiesWithNoKey()
    {
        var digest = await Image("tampered");
        await Sign(digest, TestKeys.SigningKeyFile);
        var (bytes, mediaType) = await _http.Get(CosignSignatures.TagFor(digest));
        var manifest = JsonNode.Parse(bytes)!;
        var signature = Convert.FromBase64String(manifest["layers"]![0]!["annotations"]!["dev.cosignproject.cosign/signature"]!.GetValue<string>());
        signature[^1] ^= 0x01;
        manifest["layers"]![0]!["annotations"]!["dev.cosignproject.cosign/signature"] = Convert.ToBase64String(signature);
        await _http.Put(CosignSignatures.TagFor(digest), Encoding.UTF8.GetBytes(manifest.ToJsonString()), mediaType);

        await AssertBothSay("other-key", digest, TestKeys.PublicKeyFile);
    }
}
