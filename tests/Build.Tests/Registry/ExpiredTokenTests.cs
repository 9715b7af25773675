using System.Net;
using System.Text;
using Pipeline.Http;
using Pipeline.Registry;
using Pipeline.Settings;

namespace Pipeline.Tests.Registry;

/// <summary>
/// ECR Public answers an expired or bad bearer token with 400 DENIED, not 401. No token-auth
/// registry can run here, so this uses a DOUBLE of that documented behaviour (see
/// shared/reference/registry-and-ecr-public.md), behind the production client and retry handler.
/// </summary>
public sealed class ExpiredTokenTests
{
    private sealed class EcrPublicLikeRegistry : HttpMessageHandler
    {
        public int TokensIssued;
        public bool ExpireFirstToken = true;
        public readonly List<string> Seen = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add($"{request.Method} {request.RequestUri!.AbsolutePath} {request.Headers.Authorization?.Scheme}");
            if (request.RequestUri.AbsolutePath == "/token/")
            {
                TokensIssued++;
                return Answer(HttpStatusCode.OK, $"{{\"token\":\"token-{TokensIssued}\"}}");
            }
            var token = request.Headers.Authorization?.Parameter;
            if (token is null)
            {
                var challenge = Answer(HttpStatusCode.Unauthorized, "{}");
                challenge.Result.Headers.WwwAuthenticate.ParseAdd("Bearer realm=\"https://public.ecr.aws/token/\",service=\"public.ecr.aws\",scope=\"aws\"");
                return challenge;
            }
            if (token == "token-1" && ExpireFirstToken)
            {
                return Answer(HttpStatusCode.BadRequest, "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"Your authorization token has expired. Reauthenticate and try again.\"}]}");
            }
            var response = Answer(HttpStatusCode.OK, "");
            response.Result.Headers.Add("Docker-Content-Digest", "sha256:" + new string('a', 64));
            return response;
        }

        private static Task<HttpResponseMessage> Answer(HttpStatusCode status, string body) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }

    [Test]
    public async Task A400DeniedRefreshesTheTokenOnceAndSucceeds()
    {
        var registry = new EcrPublicLikeRegistry();
        using var client = new RegistryClient(RegistryAddress.Parse("public.ecr.aws/abc1d2e3"),
            new RegistryCredentials("AWS", new Secret("password")), new RetryingHandler(RetryPolicy.Default, null, HttpService.Registry, registry));

        var found = await client.HeadManifest("abc1d2e3/book-shop", "1.2.0-SNAPSHOT-7d2a1b2");

        Assert.That(found!.Digest.Value, Is.EqualTo("sha256:" + new string('a', 64)));
        Assert.That(registry.TokensIssued, Is.EqualTo(2), "the expired token was replaced once");
    }

    [Test]
    public async Task A400DeniedThatPersistsIsReportedWithTheRegistrysMessage()
    {
        using var client = new RegistryClient(RegistryAddress.Parse("public.ecr.aws/abc1d2e3"),
            new RegistryCredentials("AWS", new Secret("password")), new RetryingHandler(RetryPolicy.Default, null, HttpService.Registry, new AlwaysDenied()));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.HeadManifest("abc1d2e3/book-shop", "v1.2.0"));

        Assert.That(error!.Message, Is.EqualTo("The registry answered HEAD abc1d2e3/book-shop:v1.2.0 with 400 Bad Request (public.ecr.aws): check REGISTRY and IMAGE_REPOSITORY, then re-run."));
    }

    private sealed class AlwaysDenied : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("") });
    }
}
