using Pipeline.Settings;

namespace Pipeline.Registry;

/// <summary>The registry credentials of the configured type, masked in GitHub Actions before any use.</summary>
public static class RegistryLogin
{
    public static async Task<RegistryCredentials?> Credentials(BuildContext context)
    {
        var settings = context.Settings;
        var credentials = settings.RegistryType switch
        {
            RegistryType.EcrPublic => await context.Effects.Perform(new RequestEcrPublicToken(settings.EcrPublicEndpoint, context.Http)),
            RegistryType.Basic => new RegistryCredentials(settings.RegistryUsername!, settings.RegistryPassword!),
            _ => null,
        };
        if (credentials is { IsPlanned: false })
        {
            context.MaskInGitHubActions([credentials.Password]);
        }
        return credentials;
    }
}
