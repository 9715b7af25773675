using Cake.Common.Diagnostics;
using Pipeline.Effects;
using Pipeline.Kubernetes;
using Pipeline.Remote;
using Pipeline.Settings;

namespace Pipeline.Environments;

/// <summary>
/// What the Kubernetes kinds share: the repository's manifests rendered with the image, applied,
/// rolled out within the timeout, then checked (the app answers its version and commit steadily,
/// and every pod runs the digest); a rollout that does not finish or does not serve is undone.
/// The kinds differ in where kubectl runs and where the check asks.
/// </summary>
public abstract class ClusterEnvironment(string name, string? url, Cluster cluster) : DeployEnvironment(name, url)
{
    // Connecting, applying and undoing take time beyond the rollout's own timeout.
    private static readonly TimeSpan Allowance = TimeSpan.FromMinutes(5);

    public Cluster Cluster { get; } = cluster;

    /// <summary>The rollout's scripts, set up for where kubectl runs and where the check asks.</summary>
    protected abstract Rollout Scripts(Registry.PinnedImage? image, ReleaseManifests manifests);

    /// <summary>Runs one of them where kubectl is.</summary>
    protected abstract Effect<RemoteResult> Run(string purpose, string script, TimeSpan timeout, bool logsOutput = true, string? stateProbe = null);

    /// <summary>What the check asks, as messages name it: "NodePort 30080", or the environment's URL.</summary>
    protected abstract string CheckedThrough(ReleaseManifests manifests);

    /// <summary>What did not answer, when the check fails: "its NodePort", or the environment's URL.</summary>
    protected abstract string Answerer { get; }

    public override async Task<string> Deploy(BuildContext context, DeployableImage image)
    {
        // The cluster is given the tag pinned to the verified digest: its nodes pull that digest.
        var pinned = image.Reference.Pinned(image.Digest);
        var manifests = ReleaseManifests.Render(Path.Combine(context.RepositoryRoot, Cluster.ManifestsDir), Cluster.Deployment, Cluster.Container, pinned);
        var rollout = Scripts(pinned, manifests);
        var through = CheckedThrough(manifests);

        // Said before anything changes: what a failed rollout is undone to.
        var before = await WhatRunsNow(context);
        if (!context.IsDryRun) context.Information("{0} runs {1} now.", Name, before);

        await context.Effects.Perform(Run($"roll out {image.Reference}", rollout.Script(), Cluster.RolloutTimeout * 2 + Allowance, stateProbe: rollout.StateProbe()));

        var answered = await context.Effects.Perform(Run($"check that {through} serves {image.Label} from {image.Digest}",
            rollout.CheckScript(image.Version, image.Commit), Cluster.CheckTimeout + Allowance, logsOutput: false));
        // A plan has no answers to judge: the check above is printed, and the plan ends there.
        if (context.IsDryRun) return $"{Name}: deployment/{Cluster.Deployment} in {Cluster.Namespace} runs {image.Reference}";

        var check = ProductionCheck.Read(answered.Output);
        foreach (var answer in check.Answers) context.Information("{0} answered: {1}", through, answer);
        var problems = check.Problems(Answerer, image.Label, image.Digest, Cluster.Container);
        if (problems.Count > 0)
        {
            await context.Effects.Perform(Run($"undo the rollout of {image.Reference}", rollout.UndoScript(), Cluster.RolloutTimeout + Allowance));
            throw new BuildInputException($"{Capitalised(Name)} does not serve {image.Label} after the rollout: {string.Join("; ", problems)}. The rollout was undone; read the pods and events above, fix, and re-run Promote.");
        }
        context.Information("{0} serves {1} ({2}) from pods running {3}.", Capitalised(Name), image.Label, image.Commit[..7], image.Digest);
        return $"{Name}: deployment/{Cluster.Deployment} in {Cluster.Namespace} runs {image.Reference}; {through} serves it from pods running {image.Digest}";
    }

    /// <summary>The Deployment's pods' images (the API server's image IDs) and one answer of /version where the check asks.</summary>
    public override async Task<RunningNow> WhatRunsNow(BuildContext context)
    {
        var manifests = ReleaseManifests.Render(Path.Combine(context.RepositoryRoot, Cluster.ManifestsDir), Cluster.Deployment, Cluster.Container, image: null);
        var read = await context.Effects.Perform(Run($"read what deployment/{Cluster.Deployment} runs", Scripts(null, manifests).WhatRunsScript(),
            TimeSpan.FromSeconds(30), logsOutput: false));
        var check = ProductionCheck.Read(read.Output);
        var digests = check.Pods?.Items.Where(pod => pod.Metadata.DeletionTimestamp is null)
            .Select(pod => pod.Status?.ContainerStatuses?.SingleOrDefault(status => status.Name == Cluster.Container)?.ImageID)
            .OfType<string>()
            // containerd reports <repository>@sha256:..., Docker's runtime docker-pullable://<repository>@sha256:...
            .Select(id => id.StartsWith("docker-pullable://", StringComparison.Ordinal) ? id["docker-pullable://".Length..] : id)
            .ToList() ?? [];
        return new RunningNow(digests, check.Answers.LastOrDefault());
    }

    private static string Capitalised(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    /// <summary>The keys of <see cref="ReadCluster"/>.</summary>
    protected static readonly IReadOnlyList<string> ClusterKeys = ["kubectl", "namespace", "deployment", "container", "manifests", "rollout-timeout", "check-timeout"];

    /// <summary>The cluster settings both kinds read: kubectl, the Deployment and its container, the manifests, the timeouts.</summary>
    protected static Cluster ReadCluster(EnvironmentSettings settings, string kubectl) => new(
        settings.Optional("kubectl", kubectl, Parse.CommandWords),
        settings.Optional("namespace", "default", Parse.KubernetesName),
        settings.Optional("deployment", "book-shop", Parse.KubernetesName),
        settings.Optional("container", "book-shop", Parse.KubernetesName),
        settings.Optional("manifests", "manifests", Parse.FilePath),
        settings.Optional("rollout-timeout", TimeSpan.FromSeconds(180), Parse.Duration),
        settings.Optional("check-timeout", TimeSpan.FromSeconds(60), Parse.Duration));
}

/// <summary>
/// A Kubernetes environment: the kubectl command, the Deployment and container that run the
/// release, the manifests that describe it, and how long a rollout and its check may take.
/// </summary>
public sealed record Cluster(string Kubectl, string Namespace, string Deployment, string Container, string ManifestsDir,
    TimeSpan RolloutTimeout, TimeSpan CheckTimeout);
