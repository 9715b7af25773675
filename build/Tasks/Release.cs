using Cake.Common.Diagnostics;
using Cake.Frosting;
using Pipeline.Http;
using Octokit;
using Pipeline.GitHub;
using Pipeline.Settings;
using Cake.Core.Diagnostics;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Release)]
[Uses(nameof(S.GitHubToken), nameof(S.GitHubRepository), nameof(S.GitHubApiUrl), nameof(S.HttpRetries), nameof(S.HttpTimeout))]
[TaskDescription("Creates the annotated tag vX.Y.Z on the snapshot's commit and the GitHub release with generated notes; keeps what already matches.")]
[IsDependentOn(typeof(ResolveSnapshot))]
public sealed class Release(PipelineHttp http) : AsyncPipelineTask
{
    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var promotion = context.Promotion;
        var github = new GitHubReleases(settings.GitHubApiUrl, settings.GitHubRepository, settings.GitHubToken, context.Effects, http.For(HttpService.GitHub));
        var reads = new GitHubReads(context, settings.GitHubToken is not null && !Placeholders.IsPlaceholder(settings.GitHubRepository));
        try
        {
            await Tag(context, github, promotion, reads);
            await Publish(context, github, promotion, reads);
        }
        catch (ApiException exception)
        {
            throw new BuildInputException($"{GitHubReleases.Describe(exception)} ({settings.GitHubApiUrl}): check GITHUB_TOKEN (contents: write) and GITHUB_REPOSITORY, then re-run Promote: what exists is kept.");
        }
        catch (Exception exception) when (exception is not PipelineException)
        {
            // Octokit read an answer that is not what GitHub's API description says (not JSON, or
            // without the fields it needs): most likely GITHUB_API_URL is not a GitHub API.
            throw new PipelineException($"GitHub's answer could not be read ({exception.GetType().Name}: {exception.Message.Split('\n')[0].Trim()}) ({settings.GitHubApiUrl}): " +
                "check that GITHUB_API_URL is a GitHub API (https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise), then re-run Promote: what exists is kept.", exception);
        }
        context.NotePromotionStep($"release: {github.ReleaseUrl(promotion.ReleaseTag)}");
    }

    /// <summary>
    /// GitHub's answers a plan needs. A dry run that cannot ask (no token, no repository, GitHub
    /// unreachable or refusing) goes on without the answer and says what the plan assumes instead,
    /// as the registry's reads do; a real run fails.
    /// </summary>
    private sealed class GitHubReads(BuildContext context, bool canAsk)
    {
        public async Task<(bool Answered, T? Value)> Read<T>(Func<Task<T?>> read, string assumption)
        {
            if (!canAsk)
            {
                context.Information("GitHub is not asked (no GITHUB_TOKEN or GITHUB_REPOSITORY); {0}", assumption);
                return (false, default);
            }
            try
            {
                return (true, await read());
            }
            catch (Exception exception) when (context.IsDryRun && exception is EndpointException or ApiException or HttpRequestException or TaskCanceledException)
            {
                var why = exception is ApiException api ? GitHubReleases.Describe(api) : exception.Message;
                context.Warning("Could not ask GitHub ({0}); {1}", why, assumption);
                return (false, default);
            }
        }
    }

    private static async Task Tag(BuildContext context, GitHubReleases github, Promotion promotion, GitHubReads reads)
    {
        var (_, tagged) = await reads.Read(() => github.TagCommit(promotion.ReleaseTag), $"the plan assumes the tag {promotion.ReleaseTag} does not exist yet.");
        if (tagged == promotion.Commit)
        {
            context.Information("The tag {0} already points to {1}: kept.", promotion.ReleaseTag, promotion.Commit);
            return;
        }
        if (tagged is not null)
        {
            throw new BuildInputException($"The tag {promotion.ReleaseTag} already points to {tagged}, not to the snapshot's commit {promotion.Commit}: {promotion.ReleaseTag} was released from other code. Bump the version in pyproject.toml on dev.");
        }

        // The git data API, since the release API alone would make a lightweight tag on the default branch.
        var tagObject = await github.CreateTagObject(promotion.ReleaseTag, promotion.Commit,
            $"{promotion.ReleaseTag}\n\nImage {promotion.ReleaseReference}@{promotion.Digest}\nSnapshot {promotion.SnapshotTag}");
        try
        {
            await github.CreateTagReference(promotion.ReleaseTag, tagObject.Sha ?? Placeholders.For("the tag object's sha"));
        }
        catch (ApiException exception) when (GitHubReleases.IsAlreadyExists(exception))
        {
            var now = await github.TagCommit(promotion.ReleaseTag);
            if (now != promotion.Commit) throw new BuildInputException($"Another run created the tag {promotion.ReleaseTag} on {now}, not on {promotion.Commit}, meanwhile: look at the tags before re-running.");
            context.Information("Another run created the tag {0} on the same commit meanwhile: kept.", promotion.ReleaseTag);
        }
    }

    private static async Task Publish(BuildContext context, GitHubReleases github, Promotion promotion, GitHubReads reads)
    {
        var imageSection = string.Join("\n",
            "## Image",
            "",
            $"- image: `{promotion.ReleaseReference}`",
            $"- digest: `{promotion.Digest}`",
            $"- tested as: `{promotion.SnapshotTag}` (commit {promotion.Commit})");

        var (_, existing) = await reads.Read(() => github.ReleaseByTag(promotion.ReleaseTag), $"the plan assumes the release {promotion.ReleaseTag} does not exist yet.");
        if (existing is not null)
        {
            if (existing.Body?.Contains(promotion.Digest.Value, StringComparison.Ordinal) == true)
            {
                context.Information("The release {0} exists and names the digest: kept.", promotion.ReleaseTag);
                return;
            }
            await github.UpdateReleaseBody(existing, $"{existing.Body}\n\n{imageSection}\n".TrimStart());
            return;
        }

        var (knowsPrevious, previous) = await reads.Read(() => github.PreviousReleaseTag(context.Version.Version), "the plan cannot name the previous release.");
        var from = knowsPrevious ? previous ?? "(the first release)" : Placeholders.For("the previous release");
        var (_, notes) = knowsPrevious
            ? await reads.Read<string>(async () => await github.GenerateNotes(promotion.ReleaseTag, promotion.Commit, previous), "the plan shows a placeholder for the notes.")
            : (false, null);
        context.Information("Release notes cover {0}..{1}", from, promotion.ReleaseTag);
        await github.CreateRelease(promotion.ReleaseTag, $"{notes ?? Placeholders.For($"notes GitHub generates from {from} to {promotion.ReleaseTag}")}\n\n{imageSection}\n");
    }
}
