using Cake.Common.Diagnostics;
using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Http;
using Pipeline.Settings;
using Pipeline.Versioning;

namespace Pipeline.Registry;

/// <summary>
/// The registry as this run sees it, for every task that needs it: one login (asked once, masked
/// before any use), and the registry API with those credentials. Tasks receive it by injection;
/// the context keeps only facts.
/// </summary>
[UsesSettingsOf(typeof(RegistryLogin))]
public sealed class RegistryAccess(IServiceProvider services, PipelineHttp http) : IDisposable
{
    // Asked for at first use, not at construction: the context is made after the tasks that take this.
    private BuildContext Context => (BuildContext)services.GetRequiredService<IFrostingContext>();
    private Task<RegistryCredentials?>? _login;
    private RegistryClient? _api;
    private (bool Asked, PublishedImage? Image) _published;

    private ImageRepository Image => Context.Settings.Image;

    /// <summary>Logs in once for the whole run; later callers get the same credentials.</summary>
    public Task<RegistryCredentials?> Login() => _login ??= LoginOnce();

    private async Task<RegistryCredentials?> LoginOnce()
    {
        var credentials = await RegistryLogin.For(Context.Settings, http.For(HttpService.EcrPublic)).Credentials(Context.Effects);
        if (credentials is { IsPlanned: false })
        {
            Context.MaskInGitHubActions([credentials.Password]);
        }
        _api?.Dispose();
        _api = null;
        return credentials;
    }

    /// <summary>The registry's API, with the credentials of the login (anonymous before it).</summary>
    public RegistryClient Api => _api ??= new RegistryClient(Image.Registry, _login is { IsCompletedSuccessfully: true } ? _login.Result : null, http.For(HttpService.Registry));

    /// <summary>
    /// A read. A dry run that cannot read (no registry given, no credentials for it, the registry
    /// unreachable) goes on without the answer and says what the plan assumes instead; a real run
    /// fails. Answered tells "not there" (null) from "not asked".
    /// </summary>
    public async Task<(bool Answered, T? Value)> Read<T>(Func<RegistryClient, Task<T?>> read, string assumption) where T : class
    {
        // Only a dry run can have the placeholder: a real run refuses a missing registry first.
        if (Image.Registry.IsPlaceholder)
        {
            Context.Information("The registry is not set; {0}", assumption);
            return (false, null);
        }
        try
        {
            return (true, await read(Api));
        }
        catch (Exception exception) when (Context.IsDryRun && Unanswered(exception))
        {
            Context.Warning("Could not read the registry ({0}); {1}", exception.Message, assumption);
            return (false, null);
        }
    }

    /// <summary>
    /// This commit's snapshot when the registry already holds its tag (a re-run): then the run
    /// deploys that image rather than building a second, different one under the same tag.
    /// Asked once; a dry run that cannot ask assumes the tag is new, and says so.
    /// </summary>
    public async Task<PublishedImage?> PublishedSnapshot()
    {
        if (_published.Asked) return _published.Image;
        var reference = Context.SnapshotReference;
        var (_, found) = await Read(registry => registry.HeadManifest(reference),
            $"the plan assumes {reference} is a new tag.");
        _published = (true, found is null ? null : new PublishedImage(reference, found.Digest));
        return _published.Image;
    }

    /// <summary>
    /// The snapshot of the nearest earlier commit on this branch that the registry holds: the
    /// previous build of nearly the same code, whose layers the build reuses (a fresh CI runner
    /// has none of its own). Null when there is none. Only a speed-up: a registry that cannot
    /// list its tags gets a warning and a plain build, in a dry run and a real run alike.
    /// </summary>
    public async Task<ImageReference?> PreviousSnapshot()
    {
        var earlier = Context.Version.Commit.EarlierCommits;
        if (earlier.Count == 0) return null;
        if (Image.Registry.IsPlaceholder)
        {
            Context.Information("The registry is not set; the plan builds without the previous snapshot's layers.");
            return null;
        }
        try
        {
            return SnapshotTag.OfNearest(earlier, await Api.ListTags(Image.Path)) is { } tag ? Image.Reference(tag) : null;
        }
        catch (Exception exception) when (Unanswered(exception))
        {
            Context.Warning("Could not list the registry's tags ({0}); building without the previous snapshot's layers.", exception.Message);
            return null;
        }
    }

    /// <summary>What a registry that could not be asked, or did not answer as one, throws.</summary>
    private static bool Unanswered(Exception exception) =>
        exception is RegistryException or EndpointException or HttpRequestException or TaskCanceledException;

    public void Dispose() => _api?.Dispose();
}
