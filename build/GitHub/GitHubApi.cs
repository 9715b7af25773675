using System.Text.Json;
using Octokit;

namespace Pipeline.GitHub;

/// <summary>What the pipeline's GitHub clients share: one way to make Octokit's client, and one way to print a request body in a plan.</summary>
internal static class GitHubApi
{
    /// <summary>Octokit over the pipeline's retrying HTTP handler, anonymous without a token.</summary>
    public static GitHubClient Client(Uri apiUrl, Settings.Secret? token, HttpMessageHandler handler) =>
        new(new Connection(new ProductHeaderValue("book-shop-pipeline"), apiUrl,
            new Octokit.Internal.InMemoryCredentialStore(token is null ? Credentials.Anonymous : new Credentials(token.Reveal())),
            new Octokit.Internal.HttpClientAdapter(() => handler), new Octokit.Internal.SimpleJsonSerializer()));

    // The plan is read by people, not embedded in HTML: print '<' and '`' as they are.
    private static readonly JsonSerializerOptions PlanJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A request body as the plan prints it.</summary>
    public static string Json(object value) => JsonSerializer.Serialize(value, PlanJson);
}
