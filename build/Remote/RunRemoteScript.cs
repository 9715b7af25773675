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

/// <summary>How a plan prints a script fed to a shell: the command, then the script as a quoted here-document, to paste as it stands.</summary>
public static class HereDocument
{
    public static string Describe(string command, string script, string comment)
    {
        var end = "BOOK_SHOP_SCRIPT";
        var lines = script.TrimEnd().Split('\n');
        while (lines.Contains(end)) end += "_END";
        return $"{command} <<'{end}'    # {comment}" + Environment.NewLine + string.Join(Environment.NewLine, lines) + Environment.NewLine + end;
    }
}

/// <summary>
/// One script run on the remote host through SSH.NET. The script carries no secret (the key only
/// authenticates), so the plan prints it whole. Output streams into the log, prefixed with the host.
/// </summary>
public sealed class RunRemoteScript(SshConnection ssh, string purpose, string script, TimeSpan timeout) : Effect<RemoteResult>
{
    /// <summary>A read-only script that tells what state the host is in, asked when the session drops.</summary>
    public string? StateProbe { get; init; }

    /// <summary>Off for a script whose standard output is data for the task (a JSON listing), not news for the log.</summary>
    public bool LogsOutput { get; init; } = true;

    private const int TailLines = 30;

    public string Script { get; } = script;

    public override RemoteResult Planned => new(0, []);

    /// <summary>
    /// The ssh command line that does what SSH.NET does here, to paste as it stands: the script
    /// goes to the remote shell on standard input, as a quoted here-document.
    /// </summary>
    public override string Describe() =>
        HereDocument.Describe($"ssh -p {ssh.Target.Port} {ssh.Target.User}@{ssh.Target.Host} sh -s", Script, $"{purpose}, at most {timeout.TotalSeconds:0}s");

    public override async Task<RemoteResult> ExecuteAsync(ICakeContext context)
    {
        var client = await ssh.Client(context);
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
            throw new CommandFailedException($"ssh {ssh.Target} ({purpose})", -1, [.. tail, $"timed out after {timeout.TotalSeconds:0}s"]);
        }
        catch (SshConnectionException exception)
        {
            var state = await ProbeState(context);
            throw new CommandFailedException($"ssh {ssh.Target} ({purpose})", -1,
                [.. tail, $"the connection dropped ({exception.Message}); the host now reports: {state}. Re-running converges."]);
        }

        var status = command.ExitStatus ?? -1;
        if (status != 0)
        {
            throw new CommandFailedException($"ssh {ssh.Target} ({purpose})", status, tail.ToList());
        }
        return new RemoteResult(status, output);
    }

    private async Task<string> ProbeState(ICakeContext context)
    {
        if (StateProbe is null) return "(nothing asked)";
        try
        {
            // The run's connection is the one that dropped: the question goes over a new one.
            using var client = await ssh.Separate(context);
            using var probe = client.CreateCommand(StateProbe);
            probe.CommandTimeout = TimeSpan.FromSeconds(30);
            return string.Join(" | ", probe.Execute().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        catch (Exception exception) when (exception is BuildInputException or SshException or SocketException)
        {
            return $"(it could not be asked: {exception.Message})";
        }
    }

    private async Task Stream(Stream stream, ICakeContext context, List<string>? output, Queue<string> tail, bool log)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (log) context.Log.Information("[{0}] {1}", ssh.Target.Host, line);
            lock (tail)
            {
                output?.Add(line);
                tail.Enqueue(line);
                while (tail.Count > TailLines) tail.Dequeue();
            }
        }
    }
}
