using System.Text;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Pipelines;

/// <summary>Retag against the real registry: byte for byte, for single images and multi-platform indexes.</summary>
[NonParallelizable]
[Category(TestTiers.EndToEnd)]
public sealed class RetagTests
{
    private TestEnvironment _environment = null!;
    private AppRepository _app = null!;
    private DevRun _dev = null!;
    private PromoteRun _promote = null!;
    private RegistryHttp _registry = null!;

    [SetUp]
    public void Start()
    {
        _environment = TestEnvironment.Require();
        _app = new AppRepository();
        _dev = new DevRun(_environment);
        _promote = new PromoteRun(_environment, _dev);
        _registry = new RegistryHttp(_environment, _dev.Repository);
    }

    [TearDown]
    public void Clean()
    {
        _registry?.Dispose();
        _dev?.Clean();
        _app?.Dispose();
    }

    private string SnapshotTag => $"0.1.0-SNAPSHOT-{_app.ShortSha}";

    private HostResult Retag(params string[] extra) =>
        HostProcess.Run(_app.Root, _promote.Environment(), ["--target=Retag", $"--snapshot-tag={SnapshotTag}", .. extra]);

    /// <summary>A tiny single-file image pushed under a tag; returns its manifest's digest and size. A test that promotes it signs it, as Dev would have.</summary>
    private async Task<(string Digest, int Size, string MediaType)> PushTinyImage(string tag, string content)
    {
        var folder = Directory.CreateTempSubdirectory("tiny-").FullName;
        File.WriteAllText(Path.Combine(folder, "platform.txt"), content);
        var reference = _dev.Reference(tag);
        var tar = Command.Run("tar", ["-C", folder, "-cf", Path.Combine(folder, "image.tar"), "platform.txt"]);
        Assert.That(tar.ExitCode, Is.Zero, tar.Error);
        DockerEngine.Succeed("import", Path.Combine(folder, "image.tar"), reference);
        DockerEngine.Succeed("push", "--quiet", reference);
        Directory.Delete(folder, recursive: true);
        var (bytes, mediaType) = await _registry.Get(tag);
        return (RegistryHttp.Digest(bytes), bytes.Length, mediaType);
    }

    /// <summary>Requests for the image's blobs since the offset; the signature's payload, which each verification reads, is no layer.</summary>
    private async Task<int> BlobRequestsSince(long offset, string digest)
    {
        var (signature, _) = await _registry.Get(digest.Replace(':', '-') + ".sig");
        var payloads = System.Text.Json.Nodes.JsonNode.Parse(signature)!["layers"]!.AsArray().Select(layer => layer!["digest"]!.GetValue<string>()).ToList();
        using var log = new FileStream(_environment.RegistryLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        log.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(log);
        return reader.ReadToEnd().Split('\n').Count(line => line.Contains($"/v2/{_dev.Repository}/blobs/", StringComparison.Ordinal)
            && !payloads.Any(payload => line.Contains($"/blobs/{payload}", StringComparison.Ordinal)));
    }

    [Test]
    public async Task AMultiPlatformIndexKeepsItsDigestAndNoLayerMoves()
    {
        var amd64 = await PushTinyImage("amd64", "linux/amd64");
        var arm64 = await PushTinyImage("arm64", "linux/arm64");
        static string Entry((string Digest, int Size, string MediaType) image, string architecture) =>
            $"{{\"mediaType\":\"{image.MediaType}\",\"digest\":\"{image.Digest}\",\"size\":{image.Size},\"platform\":{{\"architecture\":\"{architecture}\",\"os\":\"linux\"}}}}";
        var index = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[" +
            Entry(amd64, "amd64") + "," + Entry(arm64, "arm64") + "]}");
        var indexDigest = await _registry.Put(SnapshotTag, index, "application/vnd.oci.image.index.v1+json");
        await _registry.SignWith(TestKeys.SigningKeyFile, indexDigest);
        var before = new FileInfo(_environment.RegistryLog).Length;

        var result = Retag();

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        var (bytes, mediaType) = await _registry.Get("v0.1.0");
        Assert.That(bytes, Is.EqualTo(index), "the same bytes, so the same digest");
        Assert.That(RegistryHttp.Digest(bytes), Is.EqualTo(indexDigest));
        Assert.That(mediaType, Is.EqualTo("application/vnd.oci.image.index.v1+json"));
        Assert.That(await BlobRequestsSince(before, indexDigest), Is.Zero, "registry mode moves no layer");
    }

    [Test]
    public async Task ASingleImageKeepsItsDigestAndARetagOfTheSameDigestIsANoOp()
    {
        var single = await PushTinyImage(SnapshotTag, "one platform");
        await _registry.SignWith(TestKeys.SigningKeyFile, single.Digest);
        var before = new FileInfo(_environment.RegistryLog).Length;

        var first = Retag();
        var second = Retag();

        Assert.That(first.ExitCode, Is.Zero, first.AllOutput);
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.EqualTo(single.Digest));
        Assert.That(second.ExitCode, Is.Zero, second.AllOutput);
        Assert.That(second.StandardOutput, Does.Contain($"{_dev.Reference("v0.1.0")} already names {single.Digest}: nothing to do."));
        Assert.That(await BlobRequestsSince(before, single.Digest), Is.Zero);
    }

    [Test]
    public async Task AnExistingReleaseTagWithAnotherDigestIsRefusedAndLeftAlone()
    {
        var tested = await PushTinyImage(SnapshotTag, "tested");
        await _registry.SignWith(TestKeys.SigningKeyFile, tested.Digest);
        var other = await PushTinyImage("v0.1.0", "something else");

        var result = Retag();

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Is.EqualTo(
            $"Error: Retag: {_dev.Reference("v0.1.0")} already names {other.Digest}, not the tested {tested.Digest}: a release tag is never moved. Bump the version on dev to release this snapshot."));
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.EqualTo(other.Digest));
    }

    [Test]
    public async Task DockerModePullsTagsAndPushesToTheSameDigest()
    {
        var pushed = HostProcess.Run(_app.Root, _dev.Environment(), "--target=Push");
        Assert.That(pushed.ExitCode, Is.Zero, pushed.AllOutput);
        var digest = await _dev.RegistryDigest(SnapshotTag);
        Assert.That(DockerEngine.RemoveImages(_dev.Reference(SnapshotTag)).ExitCode, Is.Zero);

        var result = Retag("--retag-mode=docker");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain($"> docker pull \"{_dev.Reference(SnapshotTag)}\""));
        Assert.That(result.StandardOutput, Does.Contain($"> docker push \"{_dev.Reference("v0.1.0")}\""));
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.EqualTo(digest));
    }
}
