using Cake.Frosting;
using Pipeline.Kubernetes;
using Pipeline.Remote;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Rollout)]
[TaskDescription("Rolls vX.Y.Z out to MicroK8s over SSH with no downtime; undoes a rollout that does not finish.")]
[IsDependentOn(typeof(Retag))]
public sealed class Rollout : AsyncFrostingTask<BuildContext>
{
    // Connecting, applying and undoing take time beyond the rollout's own timeout.
    private static readonly TimeSpan Allowance = TimeSpan.FromMinutes(5);

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var image = context.Promotion.ReleaseReference;
        var manifests = ReleaseManifests.Render(Path.Combine(context.RepositoryRoot, settings.ManifestsDir), settings.K8sDeployment, settings.K8sContainer, image);
        var rollout = new Remote.Rollout(settings.Kubectl, settings.K8sNamespace, settings.K8sDeployment, settings.K8sContainer, image, settings.RolloutTimeout, manifests);

        await context.Effects.Perform(new RunRemoteScript(context.Ec2, $"roll out {image}", rollout.Script(), settings.RolloutTimeout * 2 + Allowance)
        {
            StateProbe = rollout.StateProbe(),
        });
        context.NotePromotionStep($"rollout: deployment/{settings.K8sDeployment} in {settings.K8sNamespace} runs {image}");
    }
}
