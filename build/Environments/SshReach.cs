using Pipeline.Remote;
using Pipeline.Settings;

namespace Pipeline.Environments;

/// <summary>How the kinds reached over SSH read their host: address, user, private key and the pinned host key.</summary>
public static class SshReach
{
    /// <summary>The keys of an SSH-reached environment: `ssh-key` is a secret (its variable only), `ssh-key-file` its file's path.</summary>
    public static readonly IReadOnlyList<string> Keys = ["host", "port", "user", "ssh-key", "ssh-key-file", "host-key"];

    public static RemoteTarget Read(EnvironmentSettings settings)
    {
        var key = settings.Secret("ssh-key", "ssh-key-file",
            $"set {settings.VariableOf("ssh-key")} to the private key text, or {settings.VariableOf("ssh-key-file")} to its path");
        if (key is not null && !key.Reveal().Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            settings.Invalid("ssh-key", "is not a PEM or OpenSSH private key (-----BEGIN ... PRIVATE KEY-----)");
        }
        var pin = settings.AcceptAnyHostKey
            ? settings.Optional<HostKeyPin?>("host-key", null, HostKeyPin.Parse)
            : settings.Required<HostKeyPin?>("host-key", null, HostKeyPin.Parse);
        return new RemoteTarget(
            settings.Required("host", settings.Placeholder("host"), Parse.HostName),
            settings.Optional("port", 22, Parse.Port),
            settings.Optional("user", "ubuntu", Parse.UserName),
            key, pin, settings.AcceptAnyHostKey, settings.SshRetries);
    }
}
