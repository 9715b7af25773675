using Cake.Common.Diagnostics;
using Cake.Frosting;
using Pipeline.Environments;
using Pipeline.GitHub;
using Pipeline.Http;
using Pipeline.Registry;
using Pipeline.Remote;
using Pipeline.Settings;
using Pipeline.Signing;
using Pipeline.Versioning;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Rollback)]
[Uses(nameof(S.Environment), nameof(S.RollbackTo), nameof(S.GitHubToken), nameof(S.GitHubRepository), nameof(S.GitHubApiUrl), nameof(S.Registry), nameof(S.Repository),
    nameof(S.Kubectl), nameof(S.K8sNamespace), nameof(S.K8sDeployment), nameof(S.K8sContainer), nameof(S.ManifestsDir), nameof(S.RolloutTimeout), nameof(S.ProductionCheckTimeout))]
[UsesSettingsOf(typeof(RemoteTarget))]
[UsesSettingsOf(typeof(RegistryAccess))]
[UsesSettingsOf(typeof(ImageSignatures))]
[DeploysTo(EnvironmentCatalog.Production)]
[TaskDescription("Deploys again, by digest, the last release verified in production (or --environment) before the one it runs now (--to picks one), verifies it and records it; rebuilds nothing.")]
public sealed class Rollback(PipelineHttp http, RegistryAccess registry, ImageSignatures signatures) : AsyncPipelineTask
{
    public override async Task RunAsync(BuildContext context)
    {
        var environment = context.DeployTo;
        var ledger = RecordedDeploy.Ledger(context, http);
        if (ledger is null)
        {
            // Only a dry run gets here: a real one is refused up front without GITHUB_TOKEN.
            context.Information("The plan cannot read the ledger without GITHUB_TOKEN and GITHUB_REPOSITORY: it cannot say which release Rollback would go to.");
            return;
        }
        var history = await RecordedDeploy.Write(() => ledger.History(environment.Name));
        var choice = RollbackChoice.Make(history, environment.Name, context.Settings.RollbackTo);
        if (choice.NothingToDo is { } why)
        {
            context.Information("Nothing to do: {0}", why);
            return;
        }
        var (from, to) = (choice.From!, choice.To!);
        var image = await Image(context, to);

        var now = await environment.WhatRunsNow(context);
        if (!context.IsDryRun && now.RunsOnly($"{image.Reference.Repository}@{image.Digest}"))
        {
            context.Information("Nothing to do: {0} already runs {1} ({2}).", environment.Name, to.Tag, image.Digest);
            return;
        }
        context.Information("Rolling {0} back from {1} ({2}) to {3} ({4}): {5}.", environment.Name, from.Tag, from.Record.Digest, to.Tag, to.Record.Digest, choice.Reason);

        var deployed = await RecordedDeploy.To(context, signatures, ledger, image, to.Record.SnapshotTag);
        await RecordedDeploy.Write(() => ledger.MarkRolledBack(from.Id, to.Tag, context.RunUrl));
        context.Information("{0}", deployed);
    }

    /// <summary>
    /// The image as the ledger recorded it, checked against the registry before anything changes:
    /// its tag must still name the recorded digest (a tag pushed over is refused).
    /// </summary>
    private async Task<DeployableImage> Image(BuildContext context, LedgerEntry entry)
    {
        var repository = context.Settings.Image;
        var reference = entry.ReferenceIn(repository);
        if (reference is null)
        {
            throw new BuildInputException($"The ledger's {entry.Record.Version} is {entry.Record.Image}, not an image of {repository}: roll back within the registry and repository this run uses (--registry, --repository).");
        }
        var digest = ImageDigest.Parse(entry.Record.Digest);
        await registry.Login();
        var (answered, found) = await registry.Read(api => api.HeadManifest(reference), $"the plan assumes {reference} still names {digest}.");
        if (answered && found?.Digest != digest)
        {
            throw new BuildInputException($"{reference} names {(found is null ? "nothing" : found.Digest.ToString())} in the registry, not {digest} as the ledger recorded: the tag was moved or removed; nothing was changed. Roll back with --to to another release, or put the tag back.");
        }
        if (!ReleaseVersion.TryParse(entry.Record.Version, out var version))
        {
            throw new BuildInputException($"The ledger's deployment {entry.Id} records the version \"{SettingsReader.Printable(entry.Record.Version)}\", which is not X.Y.Z: roll back with --to to another release.");
        }
        return new DeployableImage(reference, digest, version, entry.Commit);
    }
}
