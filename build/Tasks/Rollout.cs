using Cake.Frosting;
using Pipeline.Environments;
using Pipeline.Http;
using Pipeline.Remote;
using Pipeline.Settings;
using Pipeline.Signing;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Rollout)]
[Uses(nameof(S.Environment), nameof(S.GitHubToken), nameof(S.GitHubRepository), nameof(S.GitHubApiUrl), nameof(S.Registry), nameof(S.Repository), nameof(S.Kubectl), nameof(S.K8sNamespace), nameof(S.K8sDeployment), nameof(S.K8sContainer), nameof(S.ManifestsDir), nameof(S.RolloutTimeout), nameof(S.ProductionCheckTimeout))]
[UsesSettingsOf(typeof(RemoteTarget))]
[DeploysTo(EnvironmentCatalog.Production)]
[TaskDescription("Deploys vX.Y.Z to production (or --environment) by digest once its signature verifies, verifies it and records it in the ledger on GitHub: on MicroK8s, rolls it out over SSH with no downtime, checks that it serves the release from pods running that digest, and undoes a rollout that does not finish or does not serve it.")]
[UsesSettingsOf(typeof(ImageSignatures))]
[IsDependentOn(typeof(Retag))]
public sealed class Rollout(ImageSignatures signatures, PipelineHttp http) : AsyncPipelineTask
{
    public override async Task RunAsync(BuildContext context)
    {
        var promotion = context.Promotion;
        var image = new DeployableImage(promotion.ReleaseReference, promotion.Digest, context.Version.Version, promotion.Commit);
        var deployed = await RecordedDeploy.To(context, signatures, RecordedDeploy.Ledger(context, http), image, promotion.SnapshotTag.ToString());
        context.NotePromotionStep($"rollout: {deployed}");
    }
}
