using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Pipeline.Settings;

namespace Pipeline.Registry;

/// <summary>Who the pipeline is at the registry: ECR Public's token user "AWS", or a basic user.</summary>
public sealed record RegistryCredentials(string Username, Secret Password)
{
    /// <summary>A dry run's stand-in for credentials it did not ask for; never sent anywhere.</summary>
    public bool IsPlanned { get; init; }
}

public sealed record ManifestDescriptor(ImageDigest Digest, string MediaType);

public sealed record Manifest(byte[] Bytes, string MediaType, ImageDigest Digest)
{
    /// <summary>The Docker-Content-Digest the registry sent with the bytes, if any; <see cref="Digest"/> is computed from the bytes.</summary>
    public ImageDigest? ReportedDigest { get; init; }
}

/// <summary>A registry answered with an error the pipeline cannot act on.</summary>
public sealed class RegistryException(string message) : PipelineException(message);

/// <summary>
/// The OCI distribution API, only as much as the pipeline needs: read a manifest by tag (its
/// exact bytes and digest) and put those bytes under another tag; read and upload the small
/// blobs of a signature. It answers a registry's
/// 401 challenge itself: Basic with the credentials, or Bearer with a token from the realm.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    public const string ManifestAccept =
        "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, " +
        "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

    private readonly HttpClient _http;
    private readonly RegistryCredentials? _credentials;
    private AuthenticationHeaderValue? _authorization;

    public RegistryClient(RegistryAddress registry, RegistryCredentials? credentials, HttpMessageHandler? handler = null)
    {
        _credentials = credentials is { IsPlanned: false } ? credentials : null;
        if (_credentials is not null) SecretScrubber.RegisterBasic(_credentials.Username, _credentials.Password.Reveal());
        _http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null)
        {
            BaseAddress = BaseUri(registry),
            // Each attempt has its own timeout in the handler; this bounds all of them together.
            Timeout = TimeSpan.FromMinutes(10),
        };
        // Registries and their token services log who asked: say it was this pipeline.
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    public const string UserAgent = "book-shop-pipeline";

    /// <summary>Loopback registries speak plain HTTP, as Docker allows by default; all others HTTPS.</summary>
    public static Uri BaseUri(RegistryAddress registry)
    {
        var host = registry.Host.Split(':')[0].Trim('[', ']');
        var loopback = host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
        return new Uri($"{(loopback ? "http" : "https")}://{registry.Host}/");
    }

    /// <summary>The API's address as the plan prints it, also for a dry run's placeholder registry.</summary>
    public static string BaseUrl(RegistryAddress registry) =>
        registry.IsPlaceholder ? $"https://{registry.Host}/" : BaseUri(registry).ToString();


    /// <summary>Where a tag's manifest lives on the registry API, as the plan prints it.</summary>
    public static string ManifestUrl(ImageReference image) => $"{BaseUrl(image.Repository.Registry)}v2/{image.Repository.Path}/manifests/{image.Tag}";

    public Task<ManifestDescriptor?> HeadManifest(ImageReference image) => HeadManifest(image.Repository.Path, image.Tag);

    public Task<Manifest?> GetManifest(ImageReference image) => GetManifest(image.Repository.Path, image.Tag);

    public Task<string> PutManifest(ImageReference image, Manifest manifest) => PutManifest(image.Repository.Path, image.Tag, manifest);

    /// <summary>The digest the registry holds under a tag, or null when the tag does not exist.</summary>
    public async Task<ManifestDescriptor?> HeadManifest(string repository, string reference)
    {
        using var response = await Send(() => ManifestRequest(HttpMethod.Head, repository, reference), repository, push: false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccess(response, $"HEAD {repository}:{reference}");
        var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : null;
        if (digest is null || !ImageGrammar.Digest().IsMatch(digest))
        {
            throw new RegistryException($"The registry answered HEAD {repository}:{reference} without a sha256 Docker-Content-Digest ({Authority}): check that REGISTRY is an OCI registry, then re-run.");
        }
        return new ManifestDescriptor(ImageDigest.Parse(digest), response.Content.Headers.ContentType?.MediaType ?? "");
    }

    /// <summary>The manifest's exact bytes; its digest is computed from them, not taken from a header.</summary>
    public async Task<Manifest?> GetManifest(string repository, string reference)
    {
        using var response = await Send(() => ManifestRequest(HttpMethod.Get, repository, reference), repository, push: false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccess(response, $"GET {repository}:{reference}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (!IsManifest(bytes, mediaType))
        {
            throw new RegistryException($"The registry's answer to GET {repository}:{reference} is not an image manifest (content type \"{SettingsReader.Printable(mediaType)}\") ({Authority}): check that REGISTRY is an OCI registry, then re-run.");
        }
        return new Manifest(bytes, mediaType, ImageDigest.Of(bytes))
        {
            ReportedDigest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) && ImageGrammar.Digest().IsMatch(values.First())
                ? ImageDigest.Parse(values.First())
                : null,
        };
    }

    /// <summary>Puts the exact bytes under a tag; returns the digest the registry reports.</summary>
    public async Task<string> PutManifest(string repository, string tag, Manifest manifest)
    {
        using var response = await Send(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, $"v2/{repository}/manifests/{tag}") { Content = new ByteArrayContent(manifest.Bytes) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
            return request;
        }, repository, push: true);
        await EnsureSuccess(response, $"PUT {repository}:{tag}");
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : "";
    }

    /// <summary>A small blob's bytes (a signature's payload), checked against its digest; null when the registry has none.</summary>
    public async Task<byte[]?> GetBlob(string repository, ImageDigest digest, int maxBytes)
    {
        using var response = await Send(() => new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/blobs/{digest}"), repository, push: false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccess(response, $"GET {repository} blob {digest}");
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new RegistryException($"The blob {digest} of {repository} is larger than {maxBytes} bytes ({Authority}): it is no signature payload; look at the registry.");
        }
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return ImageDigest.Of(bytes) == digest ? bytes : throw new RegistryException(
            $"The registry's blob {digest} of {repository} hashes to {ImageDigest.Of(bytes)} ({Authority}): refusing its content; look at the registry.");
    }

    /// <summary>
    /// Uploads a small blob whole (the distribution spec's monolithic upload: POST, then PUT with
    /// the digest), unless the repository has it already. The upload's Location must stay on this
    /// registry, which receives the credentials.
    /// </summary>
    public async Task PutBlob(string repository, byte[] bytes)
    {
        var digest = ImageDigest.Of(bytes);
        using (var head = await Send(() => new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}"), repository, push: true))
        {
            if (head.IsSuccessStatusCode) return;
        }
        using var started = await Send(() => new HttpRequestMessage(HttpMethod.Post, $"v2/{repository}/blobs/uploads/"), repository, push: true);
        await EnsureSuccess(started, $"POST {repository} blob upload");
        var location = started.Headers.Location is { } given ? new Uri(_http.BaseAddress!, given) : throw new RegistryException(
            $"The registry started a blob upload to {repository} without a Location ({Authority}): check that REGISTRY is an OCI registry, then re-run.");
        if (location.Authority != Authority)
        {
            throw new RegistryException($"The registry's blob upload to {repository} continues on another host ({location.Authority}) ({Authority}): check that REGISTRY is the registry itself, then re-run.");
        }
        var target = new UriBuilder(location) { Query = (location.Query.TrimStart('?') is { Length: > 0 } query ? query + "&" : "") + $"digest={Uri.EscapeDataString(digest.Value)}" }.Uri;
        using var finished = await Send(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, target) { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return request;
        }, repository, push: true);
        await EnsureSuccess(finished, $"PUT {repository} blob {digest}");
    }

    /// <summary>
    /// Every tag of a repository, by the distribution spec's tags/list, page after page as its
    /// Link header says; none when the repository does not exist yet.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListTags(string repository, int pageSize = 1000)
    {
        var tags = new List<string>();
        Uri? page = new(_http.BaseAddress!, $"v2/{repository}/tags/list?n={pageSize}");
        for (var pages = 0; page is not null; pages++)
        {
            if (pages == MaxTagPages)
            {
                throw new RegistryException($"The registry lists more than {MaxTagPages * pageSize} tags for {repository} ({Authority}): remove old snapshot tags (an ECR Public lifecycle rule does), then re-run.");
            }
            var current = page;
            using var response = await Send(() => new HttpRequestMessage(HttpMethod.Get, current), repository, push: false);
            if (response.StatusCode == HttpStatusCode.NotFound) return tags;
            await EnsureSuccess(response, $"GET {repository} tags");
            tags.AddRange(ReadTags(await response.Content.ReadAsStringAsync())
                ?? throw new RegistryException($"The registry's tag list of {repository} is not the distribution spec's {{\"name\", \"tags\"}} ({Authority}): check that REGISTRY is an OCI registry, then re-run."));
            page = NextPage(response);
        }
        return tags;
    }

    private const int MaxTagPages = 100;

    private static IEnumerable<string>? ReadTags(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("tags", out var tags)) return null;
            // distribution answers "tags": null for a repository whose tags were all deleted.
            if (tags.ValueKind == JsonValueKind.Null) return [];
            if (tags.ValueKind != JsonValueKind.Array || tags.EnumerateArray().Any(tag => tag.ValueKind != JsonValueKind.String)) return null;
            return tags.EnumerateArray().Select(tag => tag.GetString()!).ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>RFC 8288's `<url>; rel="next"`, resolved against this registry; never another host, which would receive our token.</summary>
    private Uri? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links)) return null;
        foreach (var link in links.SelectMany(value => value.Split(',')))
        {
            var parts = link.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Length < 2 || !parts[0].StartsWith('<') || !parts[0].EndsWith('>')) continue;
            if (!parts.Skip(1).Any(parameter => parameter.Replace(" ", "") is "rel=\"next\"" or "rel=next")) continue;
            var next = new Uri(_http.BaseAddress!, parts[0][1..^1]);
            return next.Authority == _http.BaseAddress!.Authority ? next : throw new RegistryException(
                $"The registry's tag list of {Authority} continues on another host ({next.Authority}): check that REGISTRY is the registry itself, then re-run.");
        }
        return null;
    }

    private string Authority => _http.BaseAddress!.Authority;

    /// <summary>What the distribution spec says a manifest is: a JSON object of schemaVersion 2, served as one of the accepted types.</summary>
    private static bool IsManifest(byte[] bytes, string mediaType)
    {
        if (!ManifestAccept.Split(", ").Contains(mediaType)) return false;
        try
        {
            using var json = JsonDocument.Parse(bytes);
            return json.RootElement.ValueKind == JsonValueKind.Object &&
                json.RootElement.TryGetProperty("schemaVersion", out var version) && version.ValueKind == JsonValueKind.Number && version.GetInt32() == 2;
        }
        catch (Exception exception) when (exception is JsonException or FormatException)
        {
            return false;
        }
    }

    private static HttpRequestMessage ManifestRequest(HttpMethod method, string repository, string reference)
    {
        var request = new HttpRequestMessage(method, $"v2/{repository}/manifests/{reference}");
        request.Headers.TryAddWithoutValidation("Accept", ManifestAccept);
        return request;
    }

    private async Task<HttpResponseMessage> Send(Func<HttpRequestMessage> create, string repository, bool push, bool refreshed = false)
    {
        var response = await SendOnce(create());
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
            response.Dispose();
            _authorization = challenge?.Scheme.ToLowerInvariant() switch
            {
                "basic" when _credentials is not null => BasicAuthorization(),
                "bearer" => await BearerAuthorization(challenge.Parameter ?? "", repository, push),
                _ => throw new RegistryException($"The registry {_http.BaseAddress!.Authority} asks for credentials ({challenge?.Scheme ?? "no challenge"}) and none are configured: check the registry type and its credentials."),
            };
            response = await SendOnce(create());
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                response.Dispose();
                throw new RegistryException($"The registry {_http.BaseAddress!.Authority} refused the credentials (401): check the registry type and its credentials.");
            }
        }

        // ECR Public answers an expired or bad bearer token with 400 DENIED, not 401 (and a HEAD
        // has no body to say so): a 400 to a bearer request gets one fresh token.
        if (!refreshed && response.StatusCode == HttpStatusCode.BadRequest && _authorization?.Scheme == "Bearer")
        {
            response.Dispose();
            _authorization = null;
            return await Send(create, repository, push, refreshed: true);
        }
        return response;
    }

    private Task<HttpResponseMessage> SendOnce(HttpRequestMessage request)
    {
        request.Headers.Authorization = _authorization;
        return _http.SendAsync(request);
    }

    private AuthenticationHeaderValue BasicAuthorization() =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{_credentials!.Username}:{_credentials.Password.Reveal()}")));

    private async Task<AuthenticationHeaderValue> BearerAuthorization(string parameter, string repository, bool push)
    {
        var values = ParseChallenge(parameter);
        if (!values.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            throw new RegistryException($"The registry {_http.BaseAddress!.Authority} sent a Bearer challenge without a realm.");
        }
        var scope = $"repository:{repository}:{(push ? "pull,push" : "pull")}";
        var query = $"?scope={Uri.EscapeDataString(scope)}" + (values.TryGetValue("service", out var service) ? $"&service={Uri.EscapeDataString(service)}" : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(realmUri, realmUri.AbsolutePath + query));
        if (_credentials is not null) request.Headers.Authorization = BasicAuthorization();
        using var response = await _http.SendAsync(request);
        await EnsureSuccess(response, "the registry's token service");
        return new AuthenticationHeaderValue("Bearer", ReadToken(await response.Content.ReadAsStringAsync())
            ?? throw new RegistryException($"The registry's token service answered without a token ({realmUri.GetLeftPart(UriPartial.Path)}): check the registry type and its credentials, then re-run."));
    }

    /// <summary>The token of the distribution spec's token response: "token", or OAuth2's "access_token".</summary>
    private static string? ReadToken(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object) return null;
            var token = json.RootElement.TryGetProperty("token", out var t) ? t : json.RootElement.TryGetProperty("access_token", out var a) ? a : default;
            return token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } value ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>realm="...",service="...",scope="..." (values may contain commas inside quotes).</summary>
    public static Dictionary<string, string> ParseChallenge(string parameter)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(parameter, "([A-Za-z]+)=\"([^\"]*)\""))
        {
            result[match.Groups[1].Value] = match.Groups[2].Value;
        }
        return result;
    }

    private async Task EnsureSuccess(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode) return;
        var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync();
        var detail = body.Length == 0 ? "" : ": " + SettingsReader.Printable(ErrorMessage(body));
        var advice = response.StatusCode switch
        {
            // ECR Public's answer to a refused bearer token; the client already fetched a fresh one once.
            HttpStatusCode.BadRequest when detail.Contains("DENIED", StringComparison.Ordinal) =>
                "a fresh token was refused too: check the registry type and its credentials, and this machine's clock, then re-run",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "check the registry type, its credentials and their rights on this repository, then re-run",
            HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError => "the registry is failing (the request was retried): re-run when it answers again",
            _ => "check REGISTRY and IMAGE_REPOSITORY, then re-run",
        };
        throw new RegistryException($"The registry answered {what} with {(int)response.StatusCode} {response.ReasonPhrase}{detail} ({Authority}): {advice}.");
    }

    private static string ErrorMessage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var first = json.RootElement.GetProperty("errors")[0];
            return $"{first.GetProperty("code").GetString()} {first.GetProperty("message").GetString()}";
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return body;
        }
    }

    public void Dispose() => _http.Dispose();
}
