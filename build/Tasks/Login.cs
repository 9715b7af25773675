using Cake.Common.Build;
using Cake.Frosting;
using Pipeline.Docker;
using Pipeline.Registry;
using Pipeline.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Login)]
[TaskDescription("Logs docker in to the registry: ECR Public's token, basic credentials, or none.")]
[IsDependentOn(typeof(ReadVersion))]
public sealed class Login : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        var credentials = settings.RegistryType switch
        {
            RegistryType.EcrPublic => await context.Effects.Perform(new RequestEcrPublicToken(settings.EcrPublicEndpoint)),
            RegistryType.Basic => new RegistryCredentials(settings.RegistryUsername!, settings.RegistryPassword!),
            _ => null,
        };

        if (credentials is not null)
        {
            Mask(context, credentials.Password);
            await context.Docker.Run(new DockerLogin(settings.Image.Registry.Host, credentials.Username, credentials.Password));
        }
        context.UseRegistryCredentials(credentials);
    }

    private static void Mask(BuildContext context, Secret secret)
    {
        var github = context.GitHubActions();
        if (!github.IsRunningOnGitHubActions) return;
        foreach (var line in secret.Lines())
        {
            github.Commands.SetSecret(line);
        }
    }
}
