using Octokit;
using Pipeline.Effects;
using Pipeline.Settings;

namespace Pipeline.GitHub;

/// <summary>What a deployment in the ledger says it ran: the image by digest, and where it came from.</summary>
public sealed record DeployRecord(string Image, string Digest, string Version, string? SnapshotTag, string? RunUrl);

/// <summary>One status of a deployment: `in_progress`, `success`, `failure`, `inactive`..., and what it says.</summary>
public sealed record LedgerStatus(string State, string Description);

/// <summary>One deployment of the ledger, with its statuses newest first.</summary>
public sealed record LedgerEntry(long Id, string Environment, string Commit, DeployRecord Record, DateTimeOffset CreatedAt, IReadOnlyList<LedgerStatus> Statuses)
{
    /// <summary>The description a status carries when Rollback went back from this deployment.</summary>
    public const string RolledBackMark = "rolled back";

    /// <summary>It passed its verification once: a `success` status, whatever came later (GitHub makes it `inactive` when the next one succeeds).</summary>
    public bool Verified => Statuses.Any(status => status.State == "success");

    /// <summary>Rollback went back from it: never returned to by itself.</summary>
    public bool RolledBack => Statuses.Any(status => status.Description.StartsWith(RolledBackMark, StringComparison.Ordinal));

    /// <summary>How messages name it: its image's tag (v1.2.0 in production, the snapshot tag on dev).</summary>
    public string Tag => Record.Image[(Record.Image.LastIndexOf(':') + 1)..];

    /// <summary>Its image as a reference in this repository, or null when the ledger recorded it in another.</summary>
    public Registry.ImageReference? ReferenceIn(Registry.ImageRepository repository) =>
        repository.Reference(Tag) is var reference && reference.ToString() == Record.Image ? reference : null;

    /// <summary>What an environment running it runs: repository@digest, as image IDs and repository digests name it.</summary>
    public string RunningImage => $"{Record.Image[..Record.Image.LastIndexOf(':')]}@{Record.Digest}";
}

/// <summary>
/// The deployment ledger: one GitHub deployment per deploy to an environment (the Deployments
/// API through Octokit), with statuses in_progress, then success after the verification or
/// failure with the reason. Writes go through the effects, so the plan shows each request.
/// </summary>
public sealed class DeploymentLedger
{
    private readonly GitHubClient _client;
    private readonly ApiConnection _api;
    private readonly IEffects _effects;

    public DeploymentLedger(Uri apiUrl, string repository, Secret token, IEffects effects, HttpMessageHandler handler)
    {
        (Owner, Name) = GitHubApi.OwnerAndName(repository);
        _effects = effects;
        _client = GitHubApi.Client(apiUrl, token, handler);
        _api = new ApiConnection(_client.Connection);
    }

    public string Owner { get; }
    public string Name { get; }

    private string Url(string rest) => GitHubApi.Url(_client, Owner, Name, rest);

    /// <summary>
    /// A deployment of the commit to the environment, and its in_progress status. It asks for no
    /// commit status checks (required_contexts: []): inside the running workflow its own checks
    /// are still pending, and GitHub would refuse the deployment (409).
    /// </summary>
    public async Task<long> Start(string environment, string commit, DeployRecord record, string description, bool production)
    {
        var deployment = await _effects.Perform(new Call<Deployment>(
            $"POST {Url("deployments")} {Json(new { @ref = commit, environment, payload = Payload(record), description, auto_merge = false, required_contexts = Array.Empty<string>(), production_environment = production })}",
            () => _client.Repository.Deployment.Create(Owner, Name, new NewDeployment(commit)
            {
                Environment = environment,
                Payload = Payload(record),
                Description = description,
                AutoMerge = false,
                RequiredContexts = new System.Collections.ObjectModel.Collection<string>(),
                ProductionEnvironment = production,
            }),
            new Deployment()));
        await Status(deployment.Id, DeploymentState.InProgress, "in_progress", description, null, record.RunUrl);
        return deployment.Id;
    }

    public Task Succeed(long id, string description, string? environmentUrl, string? logUrl) =>
        Status(id, DeploymentState.Success, "success", description, environmentUrl, logUrl);

    public Task Fail(long id, string reason, string? logUrl) => Status(id, DeploymentState.Failure, "failure", reason, null, logUrl);

    /// <summary>Marks a deployment Rollback went back from: a `failure` status that says so, which Rollback never returns to by itself.</summary>
    public Task MarkRolledBack(long id, string to, string? logUrl) =>
        Status(id, DeploymentState.Failure, "failure", $"{LedgerEntry.RolledBackMark} to {to}", null, logUrl);

    private Task Status(long id, DeploymentState state, string stateName, string description, string? environmentUrl, string? logUrl)
    {
        // GitHub refuses a description over 140 characters.
        var text = description.Length <= 140 ? description : description[..139] + "…";
        return _effects.Perform(new Call<DeploymentStatus>(
            $"POST {Url($"deployments/{(id == 0 && _effects.IsDryRun ? "<id>" : id)}/statuses")} {Json(new { state = stateName, description = text, environment_url = environmentUrl, log_url = logUrl })}",
            () => _client.Repository.Deployment.Status.Create(Owner, Name, id, new NewDeploymentStatus(state)
            {
                Description = text,
                EnvironmentUrl = environmentUrl,
                LogUrl = logUrl,
            }),
            new DeploymentStatus()));
    }

    /// <summary>The environment's deployments, newest first, each with its statuses (a read: a dry run asks too).</summary>
    public async Task<IReadOnlyList<LedgerEntry>> History(string environment)
    {
        // Octokit's GetAll has no environment filter; the endpoint has (?environment=).
        var deployments = await _api.GetAll<Deployment>(new Uri($"repos/{Owner}/{Name}/deployments", UriKind.Relative),
            new Dictionary<string, string> { ["environment"] = environment }, new ApiOptions { PageSize = 100, PageCount = 1 });
        var entries = new List<LedgerEntry>();
        foreach (var deployment in deployments.OrderByDescending(deployment => deployment.CreatedAt).ThenByDescending(deployment => deployment.Id))
        {
            if (Read(deployment.Payload) is not { } record) continue;
            var statuses = await _client.Repository.Deployment.Status.GetAll(Owner, Name, deployment.Id);
            entries.Add(new LedgerEntry(deployment.Id, deployment.Environment, deployment.Sha, record, deployment.CreatedAt,
                statuses.OrderByDescending(status => status.CreatedAt).ThenByDescending(status => status.Id)
                    .Select(status => new LedgerStatus(status.State.StringValue, status.Description ?? "")).ToList()));
        }
        return entries;
    }

    /// <summary>A deployment this pipeline made: its payload has the image and digest; others (a job's `environment:`) are not deploys of ours.</summary>
    private static DeployRecord? Read(IReadOnlyDictionary<string, string>? payload)
    {
        if (payload is null || !payload.TryGetValue("image", out var image) || !payload.TryGetValue("digest", out var digest) || !payload.TryGetValue("version", out var version)) return null;
        return new DeployRecord(image, digest, version, payload.GetValueOrDefault("snapshotTag"), payload.GetValueOrDefault("runUrl"));
    }

    private static Dictionary<string, string> Payload(DeployRecord record)
    {
        var payload = new Dictionary<string, string> { ["image"] = record.Image, ["digest"] = record.Digest, ["version"] = record.Version };
        if (record.SnapshotTag is not null) payload["snapshotTag"] = record.SnapshotTag;
        if (record.RunUrl is not null) payload["runUrl"] = record.RunUrl;
        return payload;
    }

    private static string Json(object value) => GitHubApi.Json(value);
}
