using Cake.Frosting;
using Pipeline.Remote;

namespace Pipeline.Tasks;

[TaskName(TaskNames.DeployDev)]
[TaskDescription("Replaces the dev-app container on the EC2 host over SSH; checks health and version; puts the previous one back on failure.")]
[IsDependentOn(typeof(Push))]
public sealed class DeployDev : AsyncFrostingTask<BuildContext>
{
    // Pulling a new image can take a while before the health timeout starts counting.
    private static readonly TimeSpan PullAllowance = TimeSpan.FromMinutes(10);

    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var version = context.Version;
        var deploy = new DevDeploy(context.SnapshotReference, settings.DevContainer, settings.DevHostPort, settings.AppPort,
            settings.HealthPath, settings.HealthTimeout, version.Version.ToString(), version.Commit.Sha);

        await context.Effects.Perform(new RunRemoteScript(context.Ec2, $"replace {settings.DevContainer}", deploy.Script(), settings.HealthTimeout + PullAllowance)
        {
            StateProbe = deploy.StateProbe(),
        });
    }
}
