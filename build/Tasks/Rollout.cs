using Cake.Common.Diagnostics;
using Cake.Frosting;
using Pipeline.Kubernetes;
using Pipeline.Remote;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Rollout)]
[Uses(nameof(S.Registry), nameof(S.Repository), nameof(S.Kubectl), nameof(S.K8sNamespace), nameof(S.K8sDeployment), nameof(S.K8sContainer), nameof(S.ManifestsDir), nameof(S.RolloutTimeout), nameof(S.ProductionCheckTimeout))]
[UsesSettingsOf(typeof(RemoteTarget))]
[TaskDescription("Rolls vX.Y.Z out to MicroK8s over SSH with no downtime, checks that production serves it, and undoes a rollout that does not finish or does not serve it.")]
[IsDependentOn(typeof(Retag))]
public sealed class Rollout : AsyncPipelineTask
{
    // Connecting, applying and undoing take time beyond the rollout's own timeout.
    private static readonly TimeSpan Allowance = TimeSpan.FromMinutes(5);

    public override async Task RunAsync(BuildContext context)
    {
        var production = context.Settings.Production;
        var promotion = context.Promotion;
        var image = promotion.ReleaseReference;
        var manifests = ReleaseManifests.Render(Path.Combine(context.RepositoryRoot, production.ManifestsDir), production.Deployment, production.Container, image);
        var rollout = new Remote.Rollout(production, image, manifests);

        await context.Effects.Perform(new RunRemoteScript(context.Ec2, $"roll out {image}", rollout.Script(), production.RolloutTimeout * 2 + Allowance)
        {
            StateProbe = rollout.StateProbe(),
        });

        var answered = await context.Effects.Perform(new RunRemoteScript(context.Ec2, $"check that NodePort {manifests.NodePort} serves {promotion.ReleaseTag} from {promotion.Digest}",
            rollout.CheckScript(context.Version.Version, promotion.Commit), production.CheckTimeout + Allowance)
        {
            LogsOutput = false,
        });
        // A plan has no answers to judge: the check above is printed, and the plan ends there.
        if (context.IsDryRun) return;

        var check = ProductionCheck.Read(answered.Output);
        foreach (var answer in check.Answers) context.Information("NodePort {0} answered: {1}", manifests.NodePort, answer);
        var problems = check.Problems(promotion.ReleaseTag, promotion.Digest, production.Container);
        if (problems.Count > 0)
        {
            await context.Effects.Perform(new RunRemoteScript(context.Ec2, $"undo the rollout of {image}", rollout.UndoScript(), production.RolloutTimeout + Allowance));
            throw new BuildInputException($"Production does not serve {promotion.ReleaseTag} after the rollout: {string.Join("; ", problems)}. The rollout was undone; read the pods and events above, fix, and re-run Promote.");
        }
        context.Information("Production serves {0} ({1}) from pods running {2}.", promotion.ReleaseTag, promotion.Commit[..7], promotion.Digest);
        context.NotePromotionStep($"rollout: deployment/{production.Deployment} in {production.Namespace} runs {image}; NodePort {manifests.NodePort} serves it from pods running {promotion.Digest}");
    }
}
