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
