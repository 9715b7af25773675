using Pipeline.Effects;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Registry;

/// <summary>One kind of registry login: where the pipeline's registry credentials come from.</summary>
public interface IRegistryLogin
{
    /// <summary>The credentials, or null for a registry that needs none.</summary>
    Task<RegistryCredentials?> Credentials(IEffects effects);
}

/// <summary>A registry that takes anonymous pushes (a local one in experiments).</summary>
public sealed class AnonymousLogin : IRegistryLogin
{
    public Task<RegistryCredentials?> Credentials(IEffects effects) => Task.FromResult<RegistryCredentials?>(null);
}

/// <summary>A user and password (REGISTRY_USERNAME, REGISTRY_PASSWORD).</summary>
public sealed class BasicLogin(string username, Secret password) : IRegistryLogin
{
    public Task<RegistryCredentials?> Credentials(IEffects effects) => Task.FromResult<RegistryCredentials?>(new RegistryCredentials(username, password));
}

/// <summary>ECR Public: a password from GetAuthorizationToken, signed with the AWS credential chain.</summary>
public sealed class EcrPublicLogin(Uri endpoint, HttpMessageHandler http, bool credentialsConfigured) : IRegistryLogin
{
    public Task<RegistryCredentials?> Credentials(IEffects effects) =>
        effects.Perform(new RequestEcrPublicToken(endpoint, http, credentialsConfigured));
}

/// <summary>Which login the configured registry type takes, and the settings every kind reads.</summary>
[Uses(nameof(S.Registry), nameof(S.Repository), nameof(S.RegistryType), nameof(S.RegistryUsername), nameof(S.RegistryPassword),
    nameof(S.AwsAccessKeyId), nameof(S.AwsSecretAccessKey), nameof(S.AwsSessionToken), nameof(S.AwsProfile),
    nameof(S.EcrPublicEndpoint), nameof(S.AwsEndpoint), nameof(S.HttpRetries), nameof(S.HttpTimeout))]
public static class RegistryLogin
{
    public static IRegistryLogin For(PipelineSettings settings, HttpMessageHandler http) => settings.RegistryType switch
    {
        RegistryType.EcrPublic => new EcrPublicLogin(settings.EcrPublicEndpoint, http, settings.AwsCredentialsConfigured),
        RegistryType.Basic => new BasicLogin(settings.RegistryUsername!, settings.RegistryPassword!),
        _ => new AnonymousLogin(),
    };
}
