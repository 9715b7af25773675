using Cake.Common.Diagnostics;
using Cake.Frosting;
using Pipeline.Environments;
using Pipeline.Http;
using Pipeline.Registry;
using Pipeline.Remote;
using Pipeline.Settings;
using Pipeline.Signing;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.DeployDev)]
[Uses(nameof(S.Environment), nameof(S.GitHubToken), nameof(S.GitHubRepository), nameof(S.GitHubApiUrl), nameof(S.Registry), nameof(S.Repository), nameof(S.DevContainer), nameof(S.DevHostPort), nameof(S.DevBackupPort), nameof(S.DevNginxSite), nameof(S.DevNginxConf), nameof(S.AppPort), nameof(S.HealthPath), nameof(S.HealthTimeout))]
[UsesSettingsOf(typeof(RemoteTarget))]
[DeploysTo(EnvironmentCatalog.Dev)]
[TaskDescription("Deploys the snapshot to dev (or --environment) once its signature verifies, verifies what runs there and records it in the ledger on GitHub: on the EC2 host, replaces the dev-app container with no failed request through nginx, keeping the host's nginx site the repository's and the images a rollback needs.")]
[UsesSettingsOf(typeof(ImageSignatures))]
[IsDependentOn(typeof(Push))]
public sealed class DeployDev(RegistryAccess registry, ImageSignatures signatures, PipelineHttp http) : AsyncPipelineTask
{
    public override async Task RunAsync(BuildContext context)
    {
        var snapshot = context.Image ?? await registry.PublishedSnapshot() ?? (context.IsDryRun
            ? new PublishedImage(context.SnapshotReference, ImageDigest.Placeholder("the digest the registry reports after the push"))
            : throw new BuildInputException($"{context.SnapshotReference} is not in the registry: run Push (or Dev) first."));
        var image = new DeployableImage(snapshot.Reference, snapshot.Digest, context.Version.Version, context.Version.Commit.Sha);
        context.Information("{0}", await RecordedDeploy.To(context, signatures, RecordedDeploy.Ledger(context, http), image, context.Version.SnapshotTag.ToString()));
    }
}
