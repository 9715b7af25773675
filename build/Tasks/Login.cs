using Cake.Frosting;
using Pipeline.Docker;
using Pipeline.Registry;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Login)]
[TaskDescription("Logs docker in to the registry: ECR Public's token, basic credentials, or none.")]
[IsDependentOn(typeof(ReadVersion))]
public sealed class Login : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var credentials = await RegistryLogin.Credentials(context);
        if (credentials is not null)
        {
            await context.Docker.Run(new DockerLogin(context.Settings.Image.Registry.Host, credentials.Username, credentials.Password));
        }
        context.UseRegistryCredentials(credentials);
    }
}
