using System.Net;
using Octokit;
using Pipeline.Effects;
using Pipeline.Versioning;
using Pipeline.Settings;

namespace Pipeline.GitHub;

/// <summary>
/// The GitHub side of a release, through Octokit: the annotated tag (git data API: the tag
/// object, then the ref) and the release with generated notes. Reads run in a dry run when a
/// token is there; writes always go through the effects, so the plan shows each request.
/// </summary>
public sealed class GitHubReleases
{
    private readonly GitHubClient _client;
    private readonly ApiConnection _api;
    private readonly IEffects _effects;
    private readonly Uri _apiUrl;

    public GitHubReleases(Uri apiUrl, string repository, Settings.Secret? token, IEffects effects, HttpMessageHandler handler)
    {
        (Owner, Name) = GitHubApi.OwnerAndName(repository);
        _apiUrl = apiUrl;
        _effects = effects;
        _client = GitHubApi.Client(apiUrl, token, handler);
        _api = new ApiConnection(_client.Connection);
    }

    public string Owner { get; }
    public string Name { get; }

    private string Path(string rest) => $"repos/{Owner}/{Name}/{rest}";

    private string Url(string rest) => GitHubApi.Url(_client, Owner, Name, rest);

    /// <summary>The commit a tag points to (through an annotated tag object if there is one), or null.</summary>
    public async Task<string?> TagCommit(string tag)
    {
        try
        {
            // The published description's get-ref is /git/ref/{ref}; Octokit's Reference.Get uses
            // the older /git/refs/{ref}, which answers a list for a prefix match.
            var reference = await _api.Get<Reference>(new Uri(Path($"git/ref/tags/{tag}"), UriKind.Relative));
            return reference.Object.Type.Value == TaggedType.Tag
                ? (await _client.Git.Tag.Get(Owner, Name, reference.Object.Sha)).Object.Sha
                : reference.Object.Sha;
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    public async Task<Release?> ReleaseByTag(string tag)
    {
        try
        {
            return await _client.Repository.Release.Get(Owner, Name, tag);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>The newest published release whose tag is a lower vX.Y.Z: the pinned start of the notes.</summary>
    public async Task<string?> PreviousReleaseTag(ReleaseVersion version)
    {
        var releases = await _client.Repository.Release.GetAll(Owner, Name);
        return releases
            .Where(release => !release.Draft && release.TagName.StartsWith('v') && ReleaseVersion.TryParse(release.TagName[1..], out _))
            .Select(release => (release.TagName, Version: Parse(release.TagName[1..])))
            .Where(candidate => Compare(candidate.Version, version) < 0)
            .OrderByDescending(candidate => candidate.Version.Major).ThenByDescending(candidate => candidate.Version.Minor).ThenByDescending(candidate => candidate.Version.Patch)
            .Select(candidate => candidate.TagName)
            .FirstOrDefault();
    }

    public Task<GitTag> CreateTagObject(string tag, string commit, string message) =>
        _effects.Perform(new Call<GitTag>(
            $"POST {Url("git/tags")} {Json(new { tag, message, @object = commit, type = "commit" })}",
            () => _client.Git.Tag.Create(Owner, Name, new NewTag { Tag = tag, Message = message, Object = commit, Type = TaggedType.Commit }),
            new GitTag()));

    public Task<Reference> CreateTagReference(string tag, string tagObjectSha) =>
        _effects.Perform(new Call<Reference>(
            $"POST {Url("git/refs")} {Json(new { @ref = $"refs/tags/{tag}", sha = tagObjectSha })}",
            () => _client.Git.Reference.Create(Owner, Name, new NewReference($"refs/tags/{tag}", tagObjectSha)),
            new Reference()));

    /// <summary>Asks GitHub for the notes from the previous release's tag; a read, though a POST.</summary>
    public async Task<string> GenerateNotes(string tag, string commit, string? previousTag)
    {
        var notes = await _client.Repository.Release.GenerateReleaseNotes(Owner, Name,
            new GenerateReleaseNotesRequest(tag) { TargetCommitish = commit, PreviousTagName = previousTag });
        return notes.Body;
    }

    public Task<Release> CreateRelease(string tag, string body) =>
        _effects.Perform(new Call<Release>(
            $"POST {Url("releases")} {Json(new { tag_name = tag, name = tag, body, draft = false, prerelease = false })}",
            () => _client.Repository.Release.Create(Owner, Name, new NewRelease(tag) { Name = tag, Body = body, Draft = false, Prerelease = false }),
            new Release()));

    public Task<Release> UpdateReleaseBody(Release release, string body) =>
        _effects.Perform(new Call<Release>(
            $"PATCH {Url($"releases/{release.Id}")} {Json(new { body })}",
            () => _client.Repository.Release.Edit(Owner, Name, release.Id, new ReleaseUpdate { Body = body }),
            release));

    public string ReleaseUrl(string tag) =>
        _apiUrl.Host == "api.github.com" ? $"https://github.com/{Owner}/{Name}/releases/tag/{tag}" : Url($"releases/tags/{tag}");

    private static string Json(object value) => GitHubApi.Json(value);

    private static ReleaseVersion Parse(string text) => ReleaseVersion.TryParse(text, out var version) ? version : throw new FormatException(text);

    private static int Compare(ReleaseVersion a, ReleaseVersion b) =>
        a.Major != b.Major ? a.Major.CompareTo(b.Major) : a.Minor != b.Minor ? a.Minor.CompareTo(b.Minor) : a.Patch.CompareTo(b.Patch);

    /// <summary>Octokit's errors, as one line for the user.</summary>
    public static string Describe(ApiException exception) =>
        $"GitHub answered {(int)exception.StatusCode} {exception.StatusCode}: {exception.ApiError?.Message ?? exception.Message}" +
        (exception.ApiError?.Errors?.FirstOrDefault() is { } error ? $" ({error.Code} {error.Field})" : "");

    public static bool IsAlreadyExists(ApiException exception) =>
        exception.StatusCode == HttpStatusCode.UnprocessableEntity &&
        (exception.ApiError?.Errors?.Any(error => error.Code == "already_exists") == true || exception.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase));
}
