using Cake.Common.Build;
using Cake.Common.Diagnostics;
using Pipeline.Settings;
using Pipeline.Versioning;

namespace Pipeline.Snapshot;

/// <summary>
/// Once the snapshot's digest is known, the record goes to artifacts/snapshot.json and, in GitHub
/// Actions, to the job outputs and the step summary. Written at the end of the run, failed or
/// not: when DeployDev fails the image still exists, and the record says which.
/// </summary>
public static class DevReport
{
    public static void Write(BuildContext context, PublishedImage image, string outcome, TimeSpan elapsed)
    {
        var version = context.Version;
        var github = context.GitHubActions();
        var runUrl = context.RunUrl;
        var record = new SnapshotRecord(version.Version.ToString(), version.SnapshotTag.ToString(), image.Reference.ToString(), image.Digest.ToString(),
            version.Commit.Sha, SnapshotRecord.Timestamp(DateTimeOffset.UtcNow), runUrl);

        Directory.CreateDirectory(context.ArtifactsDirectory);
        var path = Path.Combine(context.ArtifactsDirectory, SnapshotRecord.FileName);
        File.WriteAllText(path, record.ToJson());
        context.Information("Snapshot record: {0} ({1}@{2})", path, image.Reference, image.Digest);

        if (!github.IsRunningOnGitHubActions) return;
        github.Commands.SetOutputParameter("snapshot-tag", record.SnapshotTag);
        github.Commands.SetOutputParameter("image", record.Image);
        github.Commands.SetOutputParameter("digest", record.Digest);
        github.Commands.SetStepSummary(SecretScrubber.Scrub(string.Join("\n",
            "### Dev snapshot",
            "",
            "| | |",
            "| --- | --- |",
            $"| image | `{record.Image}` |",
            $"| digest | `{record.Digest}` |",
            $"| commit | `{record.Commit}` |",
            context.Settings.DeployTo is { } environment ? $"| {environment.Name} | {environment} |" : "| deployed to | none (this run does not deploy) |",
            $"| result | {outcome} in {elapsed.TotalSeconds:0}s |",
            "")));
    }
}
