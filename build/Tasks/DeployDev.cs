using Cake.Core.Diagnostics;
using Cake.Frosting;
using Pipeline.Remote;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.DeployDev)]
[Uses(nameof(S.Registry), nameof(S.Repository), nameof(S.DevContainer), nameof(S.DevHostPort), nameof(S.DevBackupPort), nameof(S.DevNginxSite), nameof(S.DevNginxConf), nameof(S.AppPort), nameof(S.HealthPath), nameof(S.HealthTimeout))]
[UsesSettingsOf(typeof(RemoteTarget))]
[TaskDescription("Replaces the dev-app container on the EC2 host over SSH with no failed request through nginx: installs the repository's nginx site when the host's differs, checks the new version on the backup port first, serves it there during the swap, and keeps the images a rollback needs.")]
[IsDependentOn(typeof(Push))]
public sealed class DeployDev : AsyncPipelineTask
{
    // Pulling a new image can take a while before the health timeout starts counting.
    private static readonly TimeSpan PullAllowance = TimeSpan.FromMinutes(10);

    // Waiting for another run's change of the site, then nginx -t and a reload.
    private static readonly TimeSpan SiteAllowance = TimeSpan.FromMinutes(3);

    public override async Task RunAsync(BuildContext context)
    {
        var devApp = context.Settings.DevApp;
        var site = DevSiteInstall.FromRepository(context.RepositoryRoot, context.Settings.DevSite);
        var deploy = new DevDeploy(context.SnapshotReference, devApp, context.Version);

        if (site is null)
        {
            context.Log.Warning("{0} does not exist: the dev site on the host is left as it is.", DevSiteInstall.RepositoryFile);
        }
        else
        {
            await context.Effects.Perform(new RunRemoteScript(context.Ec2, $"keep the dev site {site.Site.Path} the repository's", site.Script(), SiteAllowance));
        }

        // Two health waits at most: the new version on the backup port, then as dev-app.
        await context.Effects.Perform(new RunRemoteScript(context.Ec2, $"replace {devApp.Name}", deploy.Script(), 2 * devApp.HealthTimeout + PullAllowance)
        {
            StateProbe = deploy.StateProbe(),
        });
    }
}
