using System.Net.Sockets;
using System.Text;
using Cake.Core;
using Cake.Core.Diagnostics;
using Pipeline.Effects;
using Pipeline.Settings;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace Pipeline.Remote;

/// <summary>
/// The run's SSH connection to the EC2 host (SSH.NET): its key checked against the pin before
/// anything is sent, opened once and shared by the run's scripts, each on a channel of its own.
/// A real run that will need it opens it ahead, while the image builds and pushes, so that the
/// deploy does not wait for the handshake. That early attempt is quiet: should it fail, the first
/// script connects again, with retries, and says why in its own task.
/// </summary>
public sealed class SshConnection(RemoteTarget target) : IDisposable
{
    // A build can take minutes: keepalives keep the early connection open through NAT and firewalls.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private readonly object _gate = new();
    private Task<SshClient>? _ahead;
    private SshClient? _client;
    private HostKeyPin? _acceptedUnchecked;

    public RemoteTarget Target { get; } = target;

    /// <summary>Starts connecting in the background; nothing is sent but the handshake.</summary>
    public void OpenAhead(ICakeContext context)
    {
        lock (_gate)
        {
            if (_ahead is not null || _client is not null || Target.PrivateKey is null) return;
            _ahead = Task.Run(() => ConnectOnce(context, Target.PrivateKey, quiet: true));
        }
    }

    /// <summary>The run's open connection, or a new one.</summary>
    public async Task<SshClient> Client(ICakeContext context)
    {
        Task<SshClient>? ahead;
        lock (_gate)
        {
            if (_client is { IsConnected: true }) return _client;
            _client?.Dispose();
            _client = null;
            (ahead, _ahead) = (_ahead, null);
        }
        if (ahead is not null)
        {
            try
            {
                var early = await ahead;
                if (early.IsConnected)
                {
                    // Said when the connection is used, where the early attempt could not say it.
                    if (_acceptedUnchecked is not null) WarnUnchecked(context, _acceptedUnchecked);
                    return _client = early;
                }
                early.Dispose();
            }
            catch (HostUnreachable unreachable)
            {
                // The host did not answer the early attempt: that was the first attempt, so a dead
                // host costs one connect timeout, not two (retried and reported below).
                return _client = await Connect(context, unreachable);
            }
            catch (Exception exception) when (exception is BuildInputException or SshException or SocketException)
            {
                // Connected again below, where a failure is retried and reported.
            }
        }
        return _client = await Connect(context);
    }

    /// <summary>A connection of its own, for asking the host's state after the run's connection dropped.</summary>
    public Task<SshClient> Separate(ICakeContext context) => Connect(context);

    public void Dispose()
    {
        lock (_gate)
        {
            _client?.Dispose();
            _client = null;
            // Still connecting when the run ends (a failed build): closed once it is made.
            _ahead?.ContinueWith(task => task.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
            _ahead = null;
        }
    }

    /// <summary>Connects, retrying a connection that could not be made (Polly, as every retry of the run); a refused key is final.</summary>
    private async Task<SshClient> Connect(ICakeContext context, HostUnreachable? firstAttempt = null)
    {
        var key = Target.PrivateKey ?? throw new BuildInputException("EC2_SSH_KEY is not set: set it to the private key text, or EC2_SSH_KEY_FILE to its path.");
        var retries = CommandRetries.Pipeline(Target.ConnectRetries,
            exception => exception is HostUnreachable,
            (exception, attempt, delay) => context.Log.Warning("{0}; retry {1} of {2} in {3:0.0}s", exception.Message, attempt, Target.ConnectRetries, delay.TotalSeconds));
        return await retries.ExecuteAsync(async _ =>
        {
            if (Interlocked.Exchange(ref firstAttempt, null) is { } failed) throw failed;
            return await ConnectOnce(context, key, quiet: false);
        });
    }

    private void WarnUnchecked(ICakeContext context, HostKeyPin offered) =>
        context.Log.Warning("--insecure-accept-any-host-key: accepting {0}'s key {1} without checking it. Never do this against a real host.", Target.Host, offered);

    private sealed class HostUnreachable(string message) : BuildInputException(message);

    /// <summary>The host showed a key of the asked type that is not the pinned one (Offered), or had no key of that type.</summary>
    private sealed class NotThePinnedKey(string keyType, HostKeyPin? offered) : Exception
    {
        public string KeyType { get; } = keyType;
        public HostKeyPin? Offered { get; } = offered;
    }

    /// <summary>
    /// A host has several keys (an Ubuntu host: ed25519, ecdsa and rsa) and shows the one of the
    /// algorithm the two sides agree on. So only the pinned key's type is offered: a known_hosts
    /// line names it; for a bare fingerprint each type is asked in turn until one matches.
    /// </summary>
    private async Task<SshClient> ConnectOnce(ICakeContext context, Secret key, bool quiet)
    {
        if (Target.AcceptAnyHostKey || Target.Pin is null) return await ConnectOnce(context, key, quiet, keyType: null);
        var shown = new List<string>();
        var types = Target.Pin.KeyType is { } pinned ? [pinned] : HostKeyPin.HostKeyTypes;
        foreach (var keyType in types)
        {
            try
            {
                return await ConnectOnce(context, key, quiet, keyType);
            }
            catch (NotThePinnedKey refused) when (refused.Offered is not null)
            {
                shown.Add($"{refused.Offered} ({refused.KeyType})");
            }
            catch (NotThePinnedKey)
            {
                // The host has no key of this type: the next type is asked.
            }
        }
        var where = $"{Target.Host}:{Target.Port}";
        throw new BuildInputException(shown.Count switch
        {
            0 => $"The host {where} has no {string.Join(" or ", types)} key, the type EC2_HOST_KEY pins ({Target.Pin}): refused before sending anything. Pin one of the keys its console lists.",
            1 => $"The host key of {where} is {shown[0]}, not {Target.Pin} as EC2_HOST_KEY pins it: refused before sending anything. If the host was rebuilt, take its new key from its console.",
            _ => $"The host keys of {where} are {string.Join(", ", shown)}; none is {Target.Pin} as EC2_HOST_KEY pins it: refused before sending anything. If the host was rebuilt, take its new key from its console.",
        });
    }

    private async Task<SshClient> ConnectOnce(ICakeContext context, Secret key, bool quiet, string? keyType)
    {
        PrivateKeyFile keyFile;
        try
        {
            keyFile = new PrivateKeyFile(new MemoryStream(Encoding.UTF8.GetBytes(key.Reveal())));
        }
        catch (Exception exception) when (exception is SshException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new BuildInputException("EC2_SSH_KEY could not be read as a private key (an unencrypted OpenSSH or PEM key is needed).");
        }

        var connection = new ConnectionInfo(Target.Host, Target.Port, Target.User, new PrivateKeyAuthenticationMethod(Target.User, keyFile))
        {
            Timeout = TimeSpan.FromSeconds(20),
        };
        if (keyType is not null)
        {
            foreach (var algorithm in connection.HostKeyAlgorithms.Keys.Where(algorithm => HostKeyPin.KeyTypeOfAlgorithm(algorithm) != keyType).ToList())
            {
                connection.HostKeyAlgorithms.Remove(algorithm);
            }
        }
        var client = new SshClient(connection) { KeepAliveInterval = KeepAlive };
        // Null until the host has shown its key.
        HostKeyPin? offered = null;
        client.HostKeyReceived += (_, hostKey) =>
        {
            offered = HostKeyPin.ForKey(hostKey.HostKey);
            if (Target.AcceptAnyHostKey)
            {
                if (quiet) _acceptedUnchecked = offered;
                else WarnUnchecked(context, offered);
                hostKey.CanTrust = true;
                return;
            }
            hostKey.CanTrust = Target.Pin is not null && Target.Pin.Matches(hostKey.HostKey);
        };

        try
        {
            await client.ConnectAsync(CancellationToken.None);
            return client;
        }
        catch (SshConnectionException) when (keyType is not null && offered is not null && offered.Fingerprint != Target.Pin?.Fingerprint)
        {
            client.Dispose();
            throw new NotThePinnedKey(keyType, offered);
        }
        catch (SshConnectionException exception) when (keyType is not null && offered is null && exception.DisconnectReason == DisconnectReason.KeyExchangeFailed)
        {
            client.Dispose();
            throw new NotThePinnedKey(keyType, null);
        }
        catch (SshAuthenticationException)
        {
            client.Dispose();
            throw new BuildInputException($"{Target} refused the key in EC2_SSH_KEY: check EC2_USER and that the key's public half is in the user's authorized_keys.");
        }
        catch (Exception exception) when (exception is SocketException or SshOperationTimeoutException or SshConnectionException)
        {
            client.Dispose();
            throw new HostUnreachable($"Could not reach {Target.Host}:{Target.Port} over SSH ({exception.Message}): check EC2_HOST, EC2_PORT and the security group.");
        }
    }
}
