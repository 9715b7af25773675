using Cake.Common.Build;
using Cake.Common.Diagnostics;
using Cake.Core;
using Cake.Frosting;
using Pipeline.Docker;
using Pipeline.Effects;
using Pipeline.Registry;
using Pipeline.Settings;
using Pipeline.Versioning;

namespace Pipeline;

/// <summary>The facts one pipeline run works from.</summary>
public sealed record BuildVersion(ReleaseVersion Version, SourceCommit Commit, SnapshotTag SnapshotTag);

/// <summary>The snapshot image in the registry: its reference and the digest the registry reports.</summary>
public sealed record PublishedImage(ImageReference Reference, ImageDigest Digest);

/// <summary>What Promote releases: the tested snapshot, and the release tag it gets.</summary>
public sealed record Promotion(SnapshotTag SnapshotTag, string Commit, ImageDigest Digest, ImageReference SnapshotReference, string ReleaseTag, ImageReference ReleaseReference);

/// <summary>
/// What every task receives: the settings (read once, here), the side-effect door, the tools
/// built on it, and the facts earlier tasks established. Facts are set through named methods,
/// once. Nothing here talks to the network: the registry is <see cref="Registry.RegistryAccess"/>.
/// </summary>
public sealed class BuildContext : FrostingContext
{
    private BuildVersion? _version;
    private PublishedImage? _image;
    private Promotion? _promotion;
    private readonly List<string> _promotionNotes = [];

    public BuildContext(ICakeContext context, IEffects effects, IEnumerable<IFrostingTask> tasks) : base(context)
    {
        Effects = effects;
        RepositoryRoot = context.Environment.WorkingDirectory.FullPath;
        SettingsCatalog = SettingsCatalog.Of(tasks.Select(task => task.GetType()));
        var environments = Environments.EnvironmentCatalog.Load(RepositoryRoot);
        var refused = CommandLine.Refusals(context.Arguments, SettingsCatalog, environments.DeclaredSettings);
        if (refused.Count > 0)
        {
            throw new BuildInputException(string.Join(System.Environment.NewLine, refused));
        }
        Settings = PipelineSettings.Read(context.Arguments, context.Environment.GetEnvironmentVariable, SettingsCatalog, environments);
        Docker = new DockerCli(effects);
    }

    public PipelineSettings Settings { get; }

    /// <summary>Which task reads which setting, from the tasks' own declarations.</summary>
    public SettingsCatalog SettingsCatalog { get; }

    public IEffects Effects { get; }

    public bool IsDryRun => Effects.IsDryRun;

    public DockerCli Docker { get; }

    /// <summary>Where this run deploys (dev for Dev, production for Promote, or --environment).</summary>
    public Environments.DeployEnvironment DeployTo => Settings.DeployTo ?? throw new InvalidOperationException("This run has no deploy task.");

    /// <summary>The GitHub Actions run this is, as a link; null outside GitHub Actions.</summary>
    public string? RunUrl
    {
        get
        {
            var github = this.GitHubActions();
            return github.IsRunningOnGitHubActions
                ? $"{github.Environment.Workflow.ServerUrl}/{github.Environment.Workflow.Repository}/actions/runs/{github.Environment.Workflow.RunId}"
                : null;
        }
    }

    /// <summary>The repository's top folder; build.sh starts the host there.</summary>
    public string RepositoryRoot { get; }

    public string ArtifactsDirectory => Path.Combine(RepositoryRoot, "artifacts");

    public BuildVersion Version => _version ?? throw new BuildInputException(
        $"This task needs the version that {Tasks.TaskNames.ReadVersion} reads: run it without --exclusive.");

    public void UseVersion(BuildVersion version) =>
        _version = _version is null ? version : throw new InvalidOperationException("The version is already set.");

    /// <summary>The snapshot's reference: &lt;registry&gt;/&lt;repository&gt;:X.Y.Z-SNAPSHOT-&lt;sha7&gt;.</summary>
    public ImageReference SnapshotReference => Settings.Image.Reference(Version.SnapshotTag);

    /// <summary>The snapshot as the registry holds it, once known (after Push, or found already there).</summary>
    public PublishedImage? Image => _image;

    public void UseImage(PublishedImage image) => _image ??= image;

    /// <summary>
    /// In GitHub Actions, masks every line of each secret: the runner masks a multi-line secret
    /// only as a whole (actions/runner#161). Elsewhere there is nothing to mask.
    /// </summary>
    public void MaskInGitHubActions(IEnumerable<Secret> secrets)
    {
        var github = this.GitHubActions();
        if (!github.IsRunningOnGitHubActions) return;
        foreach (var line in secrets.SelectMany(secret => secret.Lines()))
        {
            github.Commands.SetSecret(line);
        }
    }

    public Promotion Promotion => _promotion ?? throw new BuildInputException(
        $"This task releases the snapshot that {Tasks.TaskNames.ResolveSnapshot} proves: run it without --exclusive, with --snapshot-tag=X.Y.Z-SNAPSHOT-<sha7> or --snapshot-file=<Dev's snapshot.json>.");

    public bool HasPromotion => _promotion is not null;

    public void UsePromotion(Promotion promotion) =>
        _promotion = _promotion is null ? promotion : throw new InvalidOperationException("The promotion is already set.");

    /// <summary>What Release, Retag and Rollout did, for the summary at the end.</summary>
    public IReadOnlyList<string> PromotionNotes => _promotionNotes;

    public void NotePromotionStep(string note) => _promotionNotes.Add(note);
}
