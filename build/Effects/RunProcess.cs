using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;

namespace Pipeline.Effects;

public sealed record ProcessResult(int ExitCode, IReadOnlyList<string> Output);

/// <summary>
/// A process started through Cake's process runner. Its arguments are a Cake argument builder,
/// so secret arguments render as [REDACTED]; standard input never appears in the description.
/// Output streams into the log as it comes.
/// </summary>
public sealed class RunProcess(string tool, ProcessArgumentBuilder arguments) : Effect<ProcessResult>
{
    private const int TailLines = 20;

    public string Tool { get; } = tool;
    public ProcessArgumentBuilder Arguments { get; } = arguments;

    /// <summary>Bytes for the process's standard input (a password for --password-stdin).</summary>
    public ProcessStandardInput? StandardInput { get; init; }

    /// <summary>
    /// When set, a failure whose output this accepts as transient (a registry's 429 or 5xx, a
    /// reset connection) is retried with capped exponential backoff and jitter.
    /// </summary>
    public Func<IReadOnlyList<string>, bool>? IsTransientFailure { get; init; }

    public int MaxRetries { get; init; } = 3;

    /// <summary>Off for a process whose standard output is data for the task (a JSON listing), not news for the log.</summary>
    public bool LogsOutput { get; init; } = true;

    /// <summary>How long the process may run before it is killed and fails; null: as long as it takes.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>A dry run assumes the process succeeded, printing nothing.</summary>
    public override ProcessResult Planned => new(0, []);

    public override string Describe() =>
        $"{Tool} {Arguments.RenderSafe()}{(StandardInput is null ? "" : " < [REDACTED]")}";

    public override async Task<ProcessResult> ExecuteAsync(ICakeContext context)
    {
        if (IsTransientFailure is null) return RunOnce(context);
        var retries = CommandRetries.Pipeline(MaxRetries,
            exception => exception is CommandFailedException failed && IsTransientFailure(failed.OutputTail),
            (_, attempt, delay) => context.Log.Warning("{0}: a transient failure; retry {1} of {2} in {3:0.0}s", Describe(), attempt, MaxRetries, delay.TotalSeconds));
        return await retries.ExecuteAsync(_ => ValueTask.FromResult(RunOnce(context)));
    }

    private ProcessResult RunOnce(ICakeContext context)
    {
        var executable = context.Tools.Resolve(Tool)
            ?? throw new BuildInputException($"{Tool} was not found on PATH: install it on this machine and run again.");

        var output = new List<string>();
        var tail = new Queue<string>();
        string Keep(string line, bool isError)
        {
            if (line is null) return line!;
            if (isError || LogsOutput) context.Log.Write(Verbosity.Normal, LogLevel.Information, "  {0}", line);
            lock (tail)
            {
                if (!isError) output.Add(line);
                tail.Enqueue(line);
                while (tail.Count > TailLines) tail.Dequeue();
            }
            return line;
        }

        var settings = new ProcessSettings
        {
            Arguments = Arguments,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectedStandardOutputHandler = line => Keep(line, isError: false),
            RedirectedStandardErrorHandler = line => Keep(line, isError: true),
            StandardInput = StandardInput,
            Silent = true,
        };

        using var process = context.ProcessRunner.Start(executable, settings);
        if (Timeout is { } timeout && !process.WaitForExit((int)timeout.TotalMilliseconds))
        {
            process.Kill();
            throw new CommandFailedException(Describe(), -1, [.. tail, $"timed out after {timeout.TotalSeconds:0}s"]);
        }
        process.WaitForExit();
        // Cake buffers the handlers' return values; drain them so every line has passed Keep.
        _ = process.GetStandardOutput().ToList();
        _ = process.GetStandardError().ToList();
        var exitCode = process.GetExitCode();
        if (exitCode != 0)
        {
            throw new CommandFailedException(Describe(), exitCode, tail.ToList());
        }
        return new ProcessResult(exitCode, output);
    }
}

/// <summary>An external command that failed: its redacted command line, exit code and last lines.</summary>
public sealed class CommandFailedException(string command, int exitCode, IReadOnlyList<string> tail)
    : PipelineException($"`{command}` failed with exit code {exitCode}{(tail.Count > 0 ? ": " + tail[^1] : "")}")
{
    public string Command { get; } = command;
    public int ExitCode { get; } = exitCode;
    public IReadOnlyList<string> OutputTail { get; } = tail;
}
