using Cake.Core;
using Cake.Core.IO;
using Pipeline.Effects;
using Pipeline.Registry;
using Pipeline.Settings;

namespace Pipeline.Docker;

/// <summary>One settings object per docker command the pipeline uses.</summary>
public abstract record DockerCommand;

public sealed record DockerLogin(string Registry, string Username, Secret Password) : DockerCommand;

public sealed record DockerBuild(string ContextDirectory, ImageReference Tag, IReadOnlyList<KeyValuePair<string, string>> BuildArgs) : DockerCommand
{
    /// <summary>An image whose layers the build may reuse (`--cache-from`): pulled first for the classic builder.</summary>
    public ImageReference? CacheFrom { get; init; }
}

public sealed record DockerPush(ImageReference Reference) : DockerCommand;

public sealed record DockerPull(ImageReference Reference) : DockerCommand;

public sealed record DockerTag(ImageReference Source, ImageReference Target) : DockerCommand;

/// <summary>
/// The docker CLI, typed. Cake.Docker is not served here; this is its small equivalent. Every
/// command becomes a <see cref="RunProcess"/> effect, so the dry run prints exactly what runs.
/// </summary>
public sealed class DockerCli(IEffects effects)
{
    public const string Tool = "docker";

    public Task<ProcessResult> Run(DockerCommand command) =>
        effects.Perform(new RunProcess(Tool, Arguments(command))
        {
            // The password goes through standard input (--password-stdin), never an argument.
            StandardInput = command is DockerLogin login ? (ProcessStandardInput)login.Password.Reveal() : (ProcessStandardInput?)null,
            IsTransientFailure = command is DockerPush or DockerPull or DockerLogin ? IsTransient : null,
        });

    // What docker prints when a registry is throttling or briefly away, rather than refusing.
    private static readonly string[] TransientMarkers =
        ["toomanyrequests", "429 Too Many Requests", "500 Internal Server Error", "502 Bad Gateway", "503 Service Unavailable",
         "504 Gateway Timeout", "connection reset by peer", "i/o timeout", "TLS handshake timeout", "unexpected EOF", "Rate exceeded"];

    public static bool IsTransient(IReadOnlyList<string> output) =>
        output.Any(line => TransientMarkers.Any(marker => line.Contains(marker, StringComparison.OrdinalIgnoreCase)));

    /// <summary>The one argument builder: settings in, the exact command line out.</summary>
    public static ProcessArgumentBuilder Arguments(DockerCommand command)
    {
        var arguments = new ProcessArgumentBuilder();
        switch (command)
        {
            case DockerLogin login:
                arguments.Append("login").Append("--username").AppendQuoted(login.Username).Append("--password-stdin").AppendQuoted(login.Registry);
                break;
            case DockerBuild build:
                arguments.Append("build").Append("--tag").AppendQuoted(build.Tag.ToString());
                if (build.CacheFrom is { } cache)
                {
                    arguments.Append("--cache-from").AppendQuoted(cache.ToString());
                }
                foreach (var (name, value) in build.BuildArgs)
                {
                    arguments.Append("--build-arg").AppendQuoted($"{name}={value}");
                }
                arguments.AppendQuoted(build.ContextDirectory);
                break;
            case DockerPush push:
                arguments.Append("push").AppendQuoted(push.Reference.ToString());
                break;
            case DockerPull pull:
                arguments.Append("pull").AppendQuoted(pull.Reference.ToString());
                break;
            case DockerTag tag:
                arguments.Append("tag").AppendQuoted(tag.Source.ToString()).AppendQuoted(tag.Target.ToString());
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "unknown docker command");
        }
        return arguments;
    }
}
