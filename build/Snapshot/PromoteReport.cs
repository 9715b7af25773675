using Cake.Common.Build;
using Cake.Common.Diagnostics;
using Pipeline.Settings;

namespace Pipeline.Snapshot;

/// <summary>The end of a promotion, in the log and, in GitHub Actions, in the step summary.</summary>
public static class PromoteReport
{
    public static void Write(BuildContext context, bool successful, Exception? failure)
    {
        var promotion = context.Promotion;
        var result = successful ? "promoted" : $"stopped: {failure?.Message.Split('\n')[0]}";
        context.Information("Promotion of {0} ({1}) as {2}: {3}", promotion.SnapshotTag, promotion.Digest, promotion.ReleaseTag, result);
        foreach (var note in context.PromotionNotes) context.Information("  {0}", note);

        var github = context.GitHubActions();
        if (!github.IsRunningOnGitHubActions) return;
        github.Commands.SetStepSummary(SecretScrubber.Scrub(string.Join("\n",
            new[] { $"### Promotion to {promotion.ReleaseTag}", "", $"- snapshot: `{promotion.SnapshotTag}` (commit {promotion.Commit})", $"- digest: `{promotion.Digest}`" }
                .Concat(context.PromotionNotes.Select(note => $"- {note}"))
                .Append($"- result: {result}")
                .Append(""))));
    }
}
