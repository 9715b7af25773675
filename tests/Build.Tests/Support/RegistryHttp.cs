using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Tests.Support;

/// <summary>The test registry's API as a client of its own (Basic auth), to set up and inspect manifests.</summary>
public sealed class RegistryHttp(TestEnvironment environment, string repository) : IDisposable
{
    private const string Accept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://{environment.Registry}/v2/{repository}/") };

    public async Task<(byte[] Bytes, string MediaType)> Get(string reference)
    {
        using var response = await _http.SendAsync(Request(HttpMethod.Get, $"manifests/{reference}"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType!.MediaType!);
    }

    public async Task<string> Put(string tag, byte[] bytes, string mediaType)
    {
        var request = Request(HttpMethod.Put, $"manifests/{tag}");
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await _http.SendAsync(request);
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
        return response.Headers.GetValues("Docker-Content-Digest").Single();
    }

    /// <summary>Uploads a blob in one request (the spec's monolithic upload); returns its digest.</summary>
    public async Task<string> PutBlob(byte[] bytes)
    {
        using var started = await _http.SendAsync(Request(HttpMethod.Post, "blobs/uploads/"));
        Assert.That((int)started.StatusCode, Is.EqualTo(202), await started.Content.ReadAsStringAsync());
        var digest = Digest(bytes);
        var location = started.Headers.Location!;
        var upload = new Uri(location.IsAbsoluteUri ? location : new Uri(_http.BaseAddress!, location), "");
        var request = Request(HttpMethod.Put, upload + (upload.Query.Length > 0 ? "&" : "?") + $"digest={Uri.EscapeDataString(digest)}");
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _http.SendAsync(request);
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
        return digest;
    }

    /// <summary>The smallest image: a config blob and no layers, under each tag given.</summary>
    public async Task PutEmptyImage(params string[] tags)
    {
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var configDigest = await PutBlob(config);
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}},\"layers\":[]}}");
        foreach (var tag in tags)
        {
            await Put(tag, manifest, "application/vnd.oci.image.manifest.v1+json");
        }
    }

    public async Task<byte[]> GetBlob(string digest)
    {
        using var response = await _http.SendAsync(Request(HttpMethod.Get, $"blobs/{digest}"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>
    /// An image as somebody pushes it by hand over a tag: the same layers as <paramref name="sourceTag"/>
    /// (so it runs), another config (a label), hence another digest, and no signature. Returns its digest.
    /// </summary>
    public async Task<string> PutVariant(string sourceTag, string tag, string label)
    {
        var (bytes, mediaType) = await Get(sourceTag);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(bytes)!;
        var config = System.Text.Json.Nodes.JsonNode.Parse(await GetBlob(manifest["config"]!["digest"]!.GetValue<string>()))!;
        config["config"] ??= new System.Text.Json.Nodes.JsonObject();
        config["config"]!["Labels"] ??= new System.Text.Json.Nodes.JsonObject();
        config["config"]!["Labels"]!["pushed-by-hand"] = label;
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        manifest["config"]!["digest"] = await PutBlob(configBytes);
        manifest["config"]!["size"] = configBytes.Length;
        return await Put(tag, Encoding.UTF8.GetBytes(manifest.ToJsonString()), mediaType);
    }

    /// <summary>
    /// Signs a digest of this repository in cosign's format with a key file, as `cosign sign --key`
    /// would; the payload names <paramref name="namedAs"/> (`registry/repository`) when given: the
    /// same registry reached under another name (a proxy), or another repository. Existing
    /// signatures are looked up under the name the payload gives, as the pipeline does.
    /// </summary>
    public async Task SignWith(string keyFile, string digest, string? namedAs = null)
    {
        var address = Pipeline.Registry.RegistryAddress.Parse(environment.Registry);
        using var registry = new Pipeline.Registry.RegistryClient(address,
            new Pipeline.Registry.RegistryCredentials(environment.RegistryUsername, new Pipeline.Settings.Secret(environment.RegistryPassword)));
        using var key = Pipeline.Signing.SigningKey.Read(new Pipeline.Settings.Secret(File.ReadAllText(keyFile)));
        var named = namedAs is null
            ? new Pipeline.Registry.ImageRepository(address, repository)
            : new Pipeline.Registry.ImageRepository(Pipeline.Registry.RegistryAddress.Parse(namedAs.Split('/', 2)[0]), namedAs.Split('/', 2)[1]);
        var upload = await Pipeline.Signing.CosignSignatures.Prepare(registry, named, Pipeline.Registry.ImageDigest.Parse(digest), key);
        // Stored beside the image in this repository, whatever the payload names.
        var here = Pipeline.Signing.CosignSignatures.ReferenceFor(new Pipeline.Registry.ImageRepository(address, repository), Pipeline.Registry.ImageDigest.Parse(digest));
        if (upload is not null) await Pipeline.Signing.CosignSignatures.Upload(registry, upload with { Reference = here });
    }

    /// <summary>Puts the signature manifest of one digest under the signature tag of another: a signature copied to another image.</summary>
    public async Task CopySignature(string fromDigest, string toDigest)
    {
        var (bytes, mediaType) = await Get(fromDigest.Replace(':', '-') + ".sig");
        await Put(toDigest.Replace(':', '-') + ".sig", bytes, mediaType);
    }

    /// <summary>The second verifier (tests/env/cosign_verify.py) on a digest of this repository: its exit code, and its finding and detail as the output's one line.</summary>
    public CommandResult VerifyInPython(string digest, string? keysFile = null) =>
        Command.Run("python3", [Path.Combine(RepositoryRoot.Path, "tests", "env", "cosign_verify.py"), "--registry", environment.Registry,
            "--repository", repository, "--digest", digest, "--keys", keysFile ?? TestKeys.PublicKeyFile, "--auth-file", environment.Microk8sAuthFile]);

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{environment.RegistryUsername}:{environment.RegistryPassword}")));
        request.Headers.TryAddWithoutValidation("Accept", Accept);
        return request;
    }

    public void Dispose() => _http.Dispose();
}
