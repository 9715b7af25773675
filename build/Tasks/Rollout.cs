using Cake.Common.Diagnostics;
using Cake.Frosting;
using Pipeline.Kubernetes;
using Pipeline.Remote;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Rollout)]
[TaskDescription("Rolls vX.Y.Z out to MicroK8s over SSH with no downtime, checks that production serves it, and undoes a rollout that does not finish or does not serve it.")]
[IsDependentOn(typeof(Retag))]
public sealed class Rollout : AsyncFrostingTask<BuildContext>
{
    // Connecting, applying and undoing take time beyond the rollout's own timeout.
    private static readonly TimeSpan Allowance = TimeSpan.FromMinutes(5);

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var promotion = context.Promotion;
        var image = promotion.ReleaseReference;
        var manifests = ReleaseManifests.Render(Path.Combine(context.RepositoryRoot, settings.ManifestsDir), settings.K8sDeployment, settings.K8sContainer, image);
        var rollout = new Remote.Rollout(settings.Kubectl, settings.K8sNamespace, settings.K8sDeployment, settings.K8sContainer, image, settings.RolloutTimeout, manifests);

        await context.Effects.Perform(new RunRemoteScript(context.Ec2, $"roll out {image}", rollout.Script(), settings.RolloutTimeout * 2 + Allowance)
        {
            StateProbe = rollout.StateProbe(),
        });

        var answered = await context.Effects.Perform(new RunRemoteScript(context.Ec2, $"check that NodePort {manifests.NodePort} serves {promotion.ReleaseTag} from {promotion.Digest}",
            rollout.CheckScript(context.Version.Version.ToString(), promotion.Commit, settings.ProductionCheckTimeout), settings.ProductionCheckTimeout + Allowance)
        {
            LogsOutput = false,
        });
        // A plan has no answers to judge: the check above is printed, and the plan ends there.
        if (context.IsDryRun) return;

        var check = ProductionCheck.Read(answered.Output);
        foreach (var answer in check.Answers) context.Information("NodePort {0} answered: {1}", manifests.NodePort, answer);
        var problems = check.Problems(promotion.ReleaseTag, promotion.Digest, settings.K8sContainer);
        if (problems.Count > 0)
        {
            await context.Effects.Perform(new RunRemoteScript(context.Ec2, $"undo the rollout of {image}", rollout.UndoScript(), settings.RolloutTimeout + Allowance));
            throw new BuildInputException($"Production does not serve {promotion.ReleaseTag} after the rollout: {string.Join("; ", problems)}. The rollout was undone; read the pods and events above, fix, and re-run Promote.");
        }
        context.Information("Production serves {0} ({1}) from pods running {2}.", promotion.ReleaseTag, promotion.Commit[..7], promotion.Digest);
        context.NotePromotionStep($"rollout: deployment/{settings.K8sDeployment} in {settings.K8sNamespace} runs {image}; NodePort {manifests.NodePort} serves it from pods running {promotion.Digest}");
    }
}
