using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;
using Cake.Core;
using Pipeline.Effects;
using Pipeline.Settings;

namespace Pipeline.Registry;

/// <summary>
/// ECR Public's GetAuthorizationToken: awsJson1_1, always us-east-1, signed with AWSSDK.Core's
/// SigV4 signer from the SDK's own credential chain. The token decodes to "AWS:&lt;password&gt;".
/// </summary>
public static class EcrPublic
{
    /// <summary>
    /// Whether the credential chain has something to read without asking the network: keys, a
    /// profile, a web identity (GitHub's OIDC), container credentials, or a shared credentials file.
    /// Without any of them only an instance role is left, which a dry run does not ask for.
    /// </summary>
    public static bool CredentialsConfigured(Func<string, string?> environment)
    {
        bool set(string name) => !string.IsNullOrWhiteSpace(environment(name));
        var home = environment("HOME");
        var sharedFile = environment("AWS_SHARED_CREDENTIALS_FILE") ?? (home is null ? null : Path.Combine(home, ".aws", "credentials"));
        return (set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY")) || set("AWS_PROFILE") || set("AWS_WEB_IDENTITY_TOKEN_FILE")
            || set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || set("AWS_CONTAINER_CREDENTIALS_FULL_URI") || (sharedFile is not null && File.Exists(sharedFile));
    }

    public const string Target = "SpencerFrontendService.GetAuthorizationToken";
    public const string ContentType = "application/x-amz-json-1.1";
    public const string SigningName = "ecr-public";
    public static readonly RegionEndpoint Region = RegionEndpoint.USEast1;
    public static readonly Uri DefaultEndpoint = new("https://api.ecr-public.us-east-1.amazonaws.com/");

    /// <summary>The signed request; the signing setup is the one AWS's test vectors check.</summary>
    public static HttpRequestMessage SignedRequest(Uri endpoint, AWSCredentials credentials, DateTime? signedAt = null)
    {
        var body = "{}"u8.ToArray();
        var headers = new Dictionary<string, string> { ["X-Amz-Target"] = Target, ["Content-Type"] = ContentType };
        var signed = Sign(HttpMethod.Post, endpoint, headers, body, credentials, Region, SigningName, signedAt);

        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", Target);
        // The result holds only what signing adds (Authorization, X-Amz-Date, the content hash, a session token).
        foreach (var (name, value) in signed)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    public static IDictionary<string, string> Sign(HttpMethod method, Uri uri, IDictionary<string, string> headers, byte[] body,
        AWSCredentials credentials, RegionEndpoint region, string service, DateTime? signedAt)
    {
        var request = new AWSSigningRequest { HttpMethod = method, RequestUri = uri, Content = body };
        foreach (var (name, value) in headers)
        {
            request.Headers[name] = value;
        }
        return AWSSigV4Signer.Sign(request,
            new AWSSigV4Parameters { Credentials = credentials, Region = region, Service = service, SignPayload = true, SignedAt = signedAt }).Headers;
    }

    public static RegistryCredentials DecodeToken(string token)
    {
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        var colon = decoded.IndexOf(':');
        if (colon <= 0) throw new FormatException("not user:password");
        return new RegistryCredentials(decoded[..colon], new Secret(decoded[(colon + 1)..]));
    }
}

/// <summary>Asks ECR Public for a registry password. In a dry run: planned, so no credentials are needed.</summary>
public sealed class RequestEcrPublicToken(Uri endpoint, HttpMessageHandler handler, bool credentialsConfigured) : Effect<RegistryCredentials?>
{
    public override RegistryCredentials? Planned => new("AWS", new Secret(Placeholders.For("the token GetAuthorizationToken returns"))) { IsPlanned = true };

    public override string Describe() =>
        $"POST {endpoint} X-Amz-Target: {EcrPublic.Target} (SigV4 {EcrPublic.SigningName}/{EcrPublic.Region.SystemName}, key from the AWS credential chain: " +
        (credentialsConfigured ? $"{Secret.Redacted})" : "none configured here; an instance role would be asked)");

    public override async Task<RegistryCredentials?> ExecuteAsync(ICakeContext context)
    {
        AWSCredentials credentials;
        try
        {
            using var resolver = new DefaultAWSCredentialsIdentityResolver();
            credentials = await resolver.ResolveIdentityAsync(null!, CancellationToken.None);
        }
        catch (AmazonClientException)
        {
            throw new BuildInputException("Could not resolve AWS credentials for ECR Public: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE).");
        }

        using var http = new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromMinutes(10) };
        using var request = EcrPublic.SignedRequest(endpoint, credentials);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryException($"ECR Public refused GetAuthorizationToken with {(int)response.StatusCode}: {SettingsReader.Printable(AwsError(body))} ({endpoint}): check the AWS credentials and their ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken permissions.");
        }
        return ReadToken(body);
    }

    /// <summary>The answer as the API reference describes it: authorizationData.authorizationToken, base64 of user:password.</summary>
    private RegistryCredentials ReadToken(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var token = json.RootElement.GetProperty("authorizationData").GetProperty("authorizationToken").GetString();
            if (!string.IsNullOrEmpty(token)) return EcrPublic.DecodeToken(token);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // The body may hold a token: it is not echoed.
        }
        throw new RegistryException($"ECR Public's answer to GetAuthorizationToken has no authorizationData.authorizationToken of base64 user:password ({endpoint}): " +
            "check AWS_ENDPOINT_URL_ECR_PUBLIC and AWS_ENDPOINT_URL (unset means the real endpoint), then re-run.");
    }

    private static string AwsError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var type = json.RootElement.TryGetProperty("__type", out var t) ? t.GetString() : null;
            var message = json.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
            return $"{type} {message}".Trim();
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
