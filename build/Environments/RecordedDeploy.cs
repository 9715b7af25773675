using Cake.Common.Diagnostics;
using Pipeline.GitHub;
using Pipeline.Http;
using Pipeline.Settings;
using Pipeline.Signing;

namespace Pipeline.Environments;

/// <summary>
/// A deploy as every task makes it (DeployDev, Rollout, Rollback): its image verified, recorded in the ledger on
/// GitHub as a deployment of the commit to the environment, `in_progress`, then `success` once
/// the environment's verification passed (with its URL) or `failure` with the one-line reason.
/// </summary>
public static class RecordedDeploy
{
    /// <summary>The ledger of this run's repository, or null (said in one line) when there is no token or repository to write it with.</summary>
    public static DeploymentLedger? Ledger(BuildContext context, PipelineHttp http)
    {
        var settings = context.Settings;
        if (settings.GitHubToken is null || Placeholders.IsPlaceholder(settings.GitHubRepository))
        {
            context.Warning("GITHUB_TOKEN or GITHUB_REPOSITORY is not set: the deployment ledger on GitHub is not written, and Rollback and Status will not know this deploy.");
            return null;
        }
        return new DeploymentLedger(settings.GitHubApiUrl, settings.GitHubRepository, settings.GitHubToken, context.Effects, http.For(HttpService.GitHub));
    }

    /// <summary>
    /// The deploy: the image's signature is verified first (refused: nothing is touched or
    /// recorded), then the environment deploys that digest and the ledger records it.
    /// </summary>
    public static async Task<string> To(BuildContext context, ImageSignatures signatures, DeploymentLedger? ledger, DeployableImage image, string? snapshotTag)
    {
        var environment = context.DeployTo;
        await signatures.Verify(context, image.Reference.Repository, image.Digest, $"it deploys to {environment.Name}");
        if (ledger is null) return await environment.Deploy(context, image);

        var record = new DeployRecord(image.Reference.ToString(), image.Digest.ToString(), image.Version.ToString(), snapshotTag, context.RunUrl);
        var id = await Write(() => ledger.Start(environment.Name, image.Commit, record, $"{image.Label} to {environment.Name}", environment.Name == EnvironmentCatalog.Production));
        string deployed;
        try
        {
            deployed = await environment.Deploy(context, image);
        }
        catch (Exception exception)
        {
            try
            {
                await ledger.Fail(id, SecretScrubber.Scrub(exception.Message.Split('\n')[0].Trim()), context.RunUrl);
            }
            catch (Octokit.ApiException ledgerError)
            {
                // The deploy's own failure is the news; the ledger's is said beside it.
                context.Warning("The ledger could not record the failure: {0}", GitHubReleases.Describe(ledgerError));
            }
            throw;
        }
        await Write(() => ledger.Succeed(id, $"{image.Label} verified", environment.Url, context.RunUrl));
        return deployed;
    }

    /// <summary>A ledger write that GitHub refuses fails the step with GitHub's words and what to check.</summary>
    public static async Task<T> Write<T>(Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (Octokit.ApiException exception)
        {
            throw new BuildInputException($"{GitHubReleases.Describe(exception)}: the deployment ledger could not be written; check GITHUB_TOKEN (deployments: write) and GITHUB_REPOSITORY, then re-run.");
        }
    }

    public static Task Write(Func<Task> write) => Write(async () => { await write(); return true; });
}
