using Cake.Common.Build;
using Cake.Common.Diagnostics;
using Cake.Frosting;
using Pipeline.Docker;
using Pipeline.Effects;
using Pipeline.Registry;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Build)]
[Uses(nameof(S.Registry), nameof(S.Repository), nameof(S.BaseImage), nameof(S.HttpRetries), nameof(S.HttpTimeout))]
[TaskDescription("Builds the root Dockerfile as <registry>/<repository>:X.Y.Z-SNAPSHOT-<sha7>.")]
[IsDependentOn(typeof(Login))]
public sealed class Build(RegistryAccess registry) : AsyncPipelineTask
{
    public override async Task RunAsync(BuildContext context)
    {
        if (await AlreadyPublished.Found(context, registry)) return;
        var version = context.Version;
        var arguments = new List<KeyValuePair<string, string>>
        {
            new("VERSION", version.Version.ToString()),
            new("COMMIT", version.Commit.Sha),
            new("CREATED", Snapshot.SnapshotRecord.Timestamp(version.Commit.CommittedAt)),
            // BuildKit (GitHub's runners) writes its cache metadata into the image only when
            // asked: without it, the next build's --cache-from finds nothing to reuse.
            new("BUILDKIT_INLINE_CACHE", "1"),
        };
        var github = context.GitHubActions();
        if (github.IsRunningOnGitHubActions)
        {
            arguments.Add(new("SOURCE", $"{github.Environment.Workflow.ServerUrl}/{github.Environment.Workflow.Repository}"));
        }
        if (context.Settings.BaseImage is { } baseImage)
        {
            arguments.Add(new("BASE_IMAGE", baseImage));
        }
        // The previous snapshot's layers: a fresh CI runner starts with none, and a code-only
        // change then rebuilds only the code layers (bench/cache_from.py measures it).
        var previous = await registry.PreviousSnapshot();
        if (previous is not null && !await PulledForCache(context, previous))
        {
            previous = null;
        }
        await context.Docker.Run(new DockerBuild(context.RepositoryRoot, context.SnapshotReference, arguments) { CacheFrom = previous });
    }

    /// <summary>The layers are only a speed-up: a pull that fails (after its retries) leaves a plain build.</summary>
    private static async Task<bool> PulledForCache(BuildContext context, ImageReference previous)
    {
        try
        {
            await context.Docker.Run(new DockerPull(previous));
            return true;
        }
        catch (CommandFailedException exception)
        {
            context.Warning("Could not pull {0} for its layers ({1}); building without them.", previous, exception.Message);
            return false;
        }
    }
}

/// <summary>
/// A snapshot tag names one build forever: a re-run of a commit deploys the image it already has.
/// Asked in the task's run, not in ShouldRun: Cake fails a target that ShouldRun skips, and
/// `--target=Push` on a pushed commit has nothing left to do, which is success.
/// </summary>
internal static class AlreadyPublished
{
    public static async Task<bool> Found(BuildContext context, RegistryAccess registry)
    {
        if (await registry.PublishedSnapshot() is not { } published) return false;
        context.UseImage(published);
        context.Information("Skipping: {0} is already in the registry as {1}: a snapshot tag names one build forever, so this run deploys that image instead of building another.",
            context.SnapshotReference, published.Digest);
        return true;
    }
}
