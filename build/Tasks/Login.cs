using Cake.Frosting;
using Pipeline.Docker;
using Pipeline.Registry;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Login)]
[UsesSettingsOf(typeof(RegistryAccess))]
[TaskDescription("Logs docker in to the registry: ECR Public's token, basic credentials, or none.")]
[IsDependentOn(typeof(ReadVersion))]
public sealed class Login(RegistryAccess registry) : AsyncPipelineTask
{
    public override async Task RunAsync(BuildContext context)
    {
        if (await registry.Login() is { } credentials)
        {
            await context.Docker.Run(new DockerLogin(context.Settings.Image.Registry.Host, credentials.Username, credentials.Password));
        }
    }
}
