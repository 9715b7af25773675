using Cake.Core;
using Cake.Core.IO;
using Pipeline.Remote;

namespace Pipeline.Effects;

/// <summary>
/// One script run on this machine by `sh -s` (kubectl with a kube context, for the kubernetes
/// kind): the same scripts, plan and failures as <see cref="RunRemoteScript"/>, without SSH.
/// The script carries no secret, so the plan prints it whole.
/// </summary>
public sealed class RunLocalScript(string purpose, string script, TimeSpan timeout) : Effect<RemoteResult>
{
    /// <summary>Off for a script whose standard output is data for the task (a JSON listing), not news for the log.</summary>
    public bool LogsOutput { get; init; } = true;

    public string Script { get; } = script;

    public override RemoteResult Planned => new(0, []);

    public override string Describe() => HereDocument.Describe($"sh -s", Script, $"{purpose}, at most {timeout.TotalSeconds:0}s");

    public override async Task<RemoteResult> ExecuteAsync(ICakeContext context)
    {
        var shell = new RunProcess("sh", new ProcessArgumentBuilder().Append("-s"))
        {
            StandardInput = Script,
            LogsOutput = LogsOutput,
            Timeout = timeout,
        };
        try
        {
            var result = await shell.ExecuteAsync(context);
            return new RemoteResult(result.ExitCode, result.Output);
        }
        catch (CommandFailedException failed)
        {
            // Named by its purpose, as a remote script is: `sh -s < [REDACTED]` would say nothing.
            throw new CommandFailedException($"sh ({purpose})", failed.ExitCode, failed.OutputTail);
        }
    }
}
