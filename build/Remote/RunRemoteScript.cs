using System.Net.Sockets;
using System.Text;
using Cake.Core;
using Cake.Core.Diagnostics;
using Pipeline.Effects;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Pipeline.Remote;

/// <summary>The EC2 host as SSH sees it. Its key is checked against the pin before anything is sent.</summary>
[Uses(nameof(S.Ec2Host), nameof(S.Ec2Port), nameof(S.Ec2User), nameof(S.Ec2SshKey), nameof(S.Ec2SshKeyFile), nameof(S.Ec2HostKey),
    nameof(S.InsecureAcceptAnyHostKey), nameof(S.SshRetries))]
public sealed class RemoteTarget(string host, int port, string user, Secret? privateKey, HostKeyPin? pin, bool acceptAnyHostKey, int connectRetries = 3)
{
    /// <summary>How often a connection that could not be made is tried again (never a refused host key).</summary>
    public int ConnectRetries { get; } = connectRetries;

    public string Host { get; } = host;
    public int Port { get; } = port;
    public string User { get; } = user;
    public Secret? PrivateKey { get; } = privateKey;
    public HostKeyPin? Pin { get; } = pin;
    public bool AcceptAnyHostKey { get; } = acceptAnyHostKey;

    public override string ToString() => $"{User}@{Host}:{Port}";
}

public sealed record RemoteResult(int ExitStatus, IReadOnlyList<string> Output);

/// <summary>
/// One script run on the remote host through SSH.NET. The script carries no secret (the key only
/// authenticates), so the plan prints it whole. Output streams into the log, prefixed with the host.
/// </summary>
public sealed class RunRemoteScript(RemoteTarget target, string purpose, string script, TimeSpan timeout) : Effect<RemoteResult>
{
    /// <summary>A read-only script that tells what state the host is in, asked when the session drops.</summary>
    public string? StateProbe { get; init; }

    /// <summary>Off for a script whose standard output is data for the task (a JSON listing), not news for the log.</summary>
    public bool LogsOutput { get; init; } = true;

    private const int TailLines = 30;

    public string Script { get; } = script;

    public override RemoteResult Planned => new(0, []);

    public override string Describe() =>
        $"ssh {target} ({purpose}, at most {timeout.TotalSeconds:0}s):{Environment.NewLine}{string.Join(Environment.NewLine, Script.TrimEnd().Split('\n').Select(line => "    | " + line))}";

    public override async Task<RemoteResult> ExecuteAsync(ICakeContext context)
    {
        var key = target.PrivateKey ?? throw new BuildInputException("EC2_SSH_KEY is not set: set it to the private key text, or EC2_SSH_KEY_FILE to its path.");
        using var client = await Connect(context, key);
        using var command = client.CreateCommand(Script);
        command.CommandTimeout = timeout;

        var output = new List<string>();
        var tail = new Queue<string>();
        var running = command.ExecuteAsync();
        await Task.WhenAll(
            Stream(command.OutputStream, context, output, tail, LogsOutput),
            Stream(command.ExtendedOutputStream, context, null, tail, log: true));
        try
        {
            await running;
        }
        catch (SshOperationTimeoutException)
        {
            throw new CommandFailedException($"ssh {target} ({purpose})", -1, [.. tail, $"timed out after {timeout.TotalSeconds:0}s"]);
        }
        catch (SshConnectionException exception)
        {
            var state = await ProbeState(context, key);
            throw new CommandFailedException($"ssh {target} ({purpose})", -1,
                [.. tail, $"the connection dropped ({exception.Message}); the host now reports: {state}. Re-running converges."]);
        }

        var status = command.ExitStatus ?? -1;
        if (status != 0)
        {
            throw new CommandFailedException($"ssh {target} ({purpose})", status, tail.ToList());
        }
        return new RemoteResult(status, output);
    }

    private async Task<string> ProbeState(ICakeContext context, Secret key)
    {
        if (StateProbe is null) return "(nothing asked)";
        try
        {
            using var client = await Connect(context, key);
            using var probe = client.CreateCommand(StateProbe);
            probe.CommandTimeout = TimeSpan.FromSeconds(30);
            return string.Join(" | ", probe.Execute().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        catch (Exception exception) when (exception is BuildInputException or SshException or SocketException)
        {
            return $"(it could not be asked: {exception.Message})";
        }
    }

    /// <summary>Connects, retrying a connection that could not be made (Polly, as every retry of the run); a refused key is final.</summary>
    private async Task<SshClient> Connect(ICakeContext context, Secret key)
    {
        var retries = CommandRetries.Pipeline(target.ConnectRetries,
            exception => exception is HostUnreachable,
            (exception, attempt, delay) => context.Log.Warning("{0}; retry {1} of {2} in {3:0.0}s", exception.Message, attempt, target.ConnectRetries, delay.TotalSeconds));
        return await retries.ExecuteAsync(async _ => await ConnectOnce(context, key));
    }

    private sealed class HostUnreachable(string message) : BuildInputException(message);

    private async Task<SshClient> ConnectOnce(ICakeContext context, Secret key)
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

        var connection = new ConnectionInfo(target.Host, target.Port, target.User, new PrivateKeyAuthenticationMethod(target.User, keyFile))
        {
            Timeout = TimeSpan.FromSeconds(20),
        };
        var client = new SshClient(connection);
        HostKeyPin? offered = null;
        client.HostKeyReceived += (_, received) =>
        {
            offered = HostKeyPin.ForKey(received.HostKey);
            if (target.AcceptAnyHostKey)
            {
                context.Log.Warning("--insecure-accept-any-host-key: accepting {0}'s key {1} without checking it. Never do this against a real host.", target.Host, offered);
                received.CanTrust = true;
                return;
            }
            received.CanTrust = target.Pin is not null && target.Pin.Matches(received.HostKey);
        };

        try
        {
            await client.ConnectAsync(CancellationToken.None);
            return client;
        }
        catch (SshConnectionException) when (offered is not null && !target.AcceptAnyHostKey && (target.Pin is null || offered != target.Pin))
        {
            client.Dispose();
            throw new BuildInputException($"The host key of {target.Host}:{target.Port} is {offered}, not {target.Pin} as EC2_HOST_KEY pins it: refused before sending anything. If the host was rebuilt, take its new key from its console.");
        }
        catch (SshAuthenticationException)
        {
            client.Dispose();
            throw new BuildInputException($"{target} refused the key in EC2_SSH_KEY: check EC2_USER and that the key's public half is in the user's authorized_keys.");
        }
        catch (Exception exception) when (exception is SocketException or SshOperationTimeoutException or SshConnectionException)
        {
            client.Dispose();
            throw new HostUnreachable($"Could not reach {target.Host}:{target.Port} over SSH ({exception.Message}): check EC2_HOST, EC2_PORT and the security group.");
        }
    }

    private async Task Stream(Stream stream, ICakeContext context, List<string>? output, Queue<string> tail, bool log)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (log) context.Log.Information("[{0}] {1}", target.Host, line);
            lock (tail)
            {
                output?.Add(line);
                tail.Enqueue(line);
                while (tail.Count > TailLines) tail.Dequeue();
            }
        }
    }
}
