using Cake.Common.Build;
using Cake.Common.Diagnostics;
using Cake.Core;
using Cake.Frosting;
using Pipeline.Docker;
using Pipeline.Effects;
using Pipeline.Registry;
using Pipeline.Remote;
using Pipeline.Settings;
using Pipeline.Versioning;

namespace Pipeline;

/// <summary>The facts one pipeline run works from.</summary>
public sealed record BuildVersion(ReleaseVersion Version, SourceCommit Commit, SnapshotTag SnapshotTag);

/// <summary>The snapshot image in the registry: its reference and the digest the registry reports.</summary>
public sealed record PublishedImage(string Reference, string Digest);

/// <summary>What Promote releases: the tested snapshot, and the release tag it gets.</summary>
public sealed record Promotion(SnapshotTag SnapshotTag, string Commit, string Digest, string SnapshotReference, string ReleaseTag, string ReleaseReference);

/// <summary>
/// What every task receives: the settings (read once, here), the side-effect door, the tools
/// built on it, and the facts earlier tasks established. Facts are set through named methods, once.
/// </summary>
public sealed class BuildContext : FrostingContext
{
    private BuildVersion? _version;
    private RegistryCredentials? _registryCredentials;
    private bool _loggedIn;
    private RegistryClient? _registry;
    private PublishedImage? _image;
    private bool _publishedChecked;
    private PublishedImage? _alreadyPublished;
    private Promotion? _promotion;
    private readonly List<string> _promotionNotes = [];

    public BuildContext(ICakeContext context, IEffects effects) : base(context)
    {
        Effects = effects;
        RepositoryRoot = context.Environment.WorkingDirectory.FullPath;
        Settings = PipelineSettings.Read(context.Arguments, context.Environment.GetEnvironmentVariable);
        Docker = new DockerCli(effects);
        Ec2 = new RemoteTarget(Settings.Ec2Host, Settings.Ec2Port, Settings.Ec2User, Settings.Ec2SshKey, Settings.Ec2HostKey, Settings.InsecureAcceptAnyHostKey, Settings.SshRetries);
    }

    public PipelineSettings Settings { get; }

    public IEffects Effects { get; }

    public bool IsDryRun => Effects.IsDryRun;

    public DockerCli Docker { get; }

    public RemoteTarget Ec2 { get; }

    /// <summary>The repository's top folder; build.sh starts the host there.</summary>
    public string RepositoryRoot { get; }

    public string ArtifactsDirectory => Path.Combine(RepositoryRoot, "artifacts");

    public BuildVersion Version => _version ?? throw new InvalidOperationException($"{Tasks.TaskNames.ReadVersion} has not run.");

    public void UseVersion(BuildVersion version) =>
        _version = _version is null ? version : throw new InvalidOperationException("The version is already set.");

    /// <summary>The snapshot's reference: &lt;registry&gt;/&lt;repository&gt;:X.Y.Z-SNAPSHOT-&lt;sha7&gt;.</summary>
    public string SnapshotReference => Settings.Image.Reference(Version.SnapshotTag.ToString());

    public void UseRegistryCredentials(RegistryCredentials? credentials)
    {
        _registryCredentials = credentials;
        _loggedIn = true;
        _registry?.Dispose();
        _registry = null;
    }

    /// <summary>The registry's API, with the credentials Login established (anonymous before it).</summary>
    public RegistryClient RegistryApi => _registry ??= new RegistryClient(Settings.Image.Registry, _loggedIn ? _registryCredentials : null, Http);

    private Http.RetryingHandler? _http;

    /// <summary>The one HTTP stack of the run: every request retries transient failures the same way.</summary>
    public HttpMessageHandler Http => _http ??= new Http.RetryingHandler(Settings.HttpPolicy, Log);

    /// <summary>The snapshot as the registry holds it, once known (after Push, or found already there).</summary>
    public PublishedImage? Image => _image;

    public void UseImage(PublishedImage image) => _image = image;

    /// <summary>
    /// Whether the registry already holds this commit's snapshot tag (a re-run): then the run
    /// deploys that image rather than building a second, different one under the same tag.
    /// Asked once; a dry run that cannot ask assumes the tag is new, and says so.
    /// </summary>
    public PublishedImage? AlreadyPublished
    {
        get
        {
            if (_publishedChecked) return _alreadyPublished;
            _publishedChecked = true;
            var (_, found) = ReadRegistry(registry => registry.HeadManifest(Settings.Image.Path, Version.SnapshotTag.ToString()),
                $"the plan assumes {SnapshotReference} is a new tag.").GetAwaiter().GetResult();
            _alreadyPublished = found is null ? null : new PublishedImage(SnapshotReference, found.Digest);
            if (_alreadyPublished is not null) _image ??= _alreadyPublished;
            return _alreadyPublished;
        }
    }

    public bool ShouldBuildImage => AlreadyPublished is null;

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

    /// <summary>
    /// A registry read. A dry run that cannot read (no registry given, no credentials for it, the
    /// registry unreachable) goes on without the answer and says what the plan assumes instead;
    /// a real run fails. Answered tells "not there" (null) from "not asked".
    /// </summary>
    public async Task<(bool Answered, T? Value)> ReadRegistry<T>(Func<RegistryClient, Task<T?>> read, string assumption) where T : class
    {
        // Only a dry run can have the placeholder: a real run refuses a missing registry first.
        if (Settings.Image.Registry.IsPlaceholder)
        {
            this.Information("The registry is not set; {0}", assumption);
            return (false, null);
        }
        try
        {
            return (true, await read(RegistryApi));
        }
        catch (Exception exception) when (IsDryRun && exception is RegistryException or HttpRequestException or TaskCanceledException)
        {
            this.Warning("Could not read the registry ({0}); {1}", exception.Message, assumption);
            return (false, null);
        }
    }

    public Promotion Promotion => _promotion ?? throw new InvalidOperationException($"{Tasks.TaskNames.ResolveSnapshot} has not run.");

    public bool HasPromotion => _promotion is not null;

    public void UsePromotion(Promotion promotion) =>
        _promotion = _promotion is null ? promotion : throw new InvalidOperationException("The promotion is already set.");

    /// <summary>What Release, Retag and Rollout did, for the summary at the end.</summary>
    public IReadOnlyList<string> PromotionNotes => _promotionNotes;

    public void NotePromotionStep(string note) => _promotionNotes.Add(note);
}
