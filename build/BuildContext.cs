using Cake.Core;
using Cake.Frosting;
using Pipeline.Effects;
using Pipeline.Settings;
using Pipeline.Versioning;

namespace Pipeline;

/// <summary>The facts one pipeline run works from.</summary>
public sealed record BuildVersion(ReleaseVersion Version, SourceCommit Commit, SnapshotTag SnapshotTag);

/// <summary>
/// What every task receives: the settings (read once, here), the side-effect door, and the
/// facts earlier tasks established. Facts are set through named methods, once.
/// </summary>
public sealed class BuildContext : FrostingContext
{
    private BuildVersion? _version;

    public BuildContext(ICakeContext context, IEffects effects) : base(context)
    {
        Effects = effects;
        RepositoryRoot = context.Environment.WorkingDirectory.FullPath;
        Settings = PipelineSettings.Read(context.Arguments, context.Environment.GetEnvironmentVariable);
    }

    public PipelineSettings Settings { get; }

    public IEffects Effects { get; }

    public bool IsDryRun => Effects.IsDryRun;

    /// <summary>The repository's top folder; build.sh starts the host there.</summary>
    public string RepositoryRoot { get; }

    public string ArtifactsDirectory => Path.Combine(RepositoryRoot, "artifacts");

    public BuildVersion Version => _version ?? throw new InvalidOperationException($"{Tasks.TaskNames.ReadVersion} has not run.");

    public void UseVersion(BuildVersion version) =>
        _version = _version is null ? version : throw new InvalidOperationException("The version is already set.");
}
