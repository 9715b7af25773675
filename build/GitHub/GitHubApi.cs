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

    /// <summary>`owner/name` apart; a dry run without settings has the placeholder &lt;GITHUB_REPOSITORY&gt;, which gets placeholders for both.</summary>
    public static (string Owner, string Name) OwnerAndName(string repository)
    {
        var parts = repository.Split('/', 2);
        return parts.Length == 2 ? (parts[0], parts[1]) : (Settings.Placeholders.For("owner"), Settings.Placeholders.For("repository"));
    }

    /// <summary>A repository endpoint's URL as the plan prints it: as text, not a Uri, so that a placeholder (&lt;id&gt;) stays readable.</summary>
    public static string Url(GitHubClient client, string owner, string name, string rest) =>
        $"{client.Connection.BaseAddress.ToString().TrimEnd('/')}/repos/{owner}/{name}/{rest}";

    // The plan is read by people, not embedded in HTML: print '<' and '`' as they are.
    private static readonly JsonSerializerOptions PlanJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A request body as the plan prints it.</summary>
    public static string Json(object value) => JsonSerializer.Serialize(value, PlanJson);
}
