using Pipeline.Effects;
using Pipeline.Kubernetes;
using Pipeline.Remote;
using Pipeline.Settings;

namespace Pipeline.Environments;

/// <summary>
/// A cluster reached from the runner through a kube context (EKS, or MicroK8s with its API
/// exposed): kubectl runs here with `--context` (and `--kubeconfig` when the workflow writes one),
/// no SSH at all; the check asks the environment's URL, since no node's loopback is at hand.
/// </summary>
[EnvironmentKind("kubernetes")]
public sealed class Kubernetes(string name, string url, string context, string? kubeconfig, Cluster cluster) : ClusterEnvironment(name, url, cluster)
{
    public string Context { get; } = context;

    public string? Kubeconfig { get; } = kubeconfig;

    public static readonly IReadOnlyList<string> Keys = ["context", "kubeconfig", .. ClusterKeys, "url"];

    public static Kubernetes Read(EnvironmentSettings settings)
    {
        var url = settings.Required("url", settings.Placeholder("url"), text => Parse.HttpUrl(text).ToString());
        var context = settings.Required("context", settings.Placeholder("context"), Parse.KubeContext);
        var kubeconfig = settings.Optional<string?>("kubeconfig", null, Parse.FilePath);
        return new Kubernetes(settings.Name, url, context, kubeconfig, ReadCluster(settings, "kubectl"));
    }

    public override string ToString() => $"deployment/{Cluster.Deployment} in {Cluster.Namespace} of kube context {Context}, served at {Url}";

    protected override Rollout Scripts(Registry.PinnedImage? image, ReleaseManifests manifests) => new(Cluster, image, manifests)
    {
        Context = Context,
        Kubeconfig = Kubeconfig,
        VersionUrl = Url!.TrimEnd('/') + "/version",
    };

    protected override Effect<RemoteResult> Run(string purpose, string script, TimeSpan timeout, bool logsOutput = true, string? stateProbe = null) =>
        new RunLocalScript(purpose, script, timeout) { LogsOutput = logsOutput };

    protected override string CheckedThrough(ReleaseManifests manifests) => Url!;

    protected override string Answerer => Url!;
}
