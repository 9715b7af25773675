using Pipeline.Effects;
using Pipeline.Kubernetes;
using Pipeline.Remote;
using Pipeline.Settings;

namespace Pipeline.Environments;

/// <summary>
/// A MicroK8s node over pinned SSH (production on the EC2 host): kubectl runs on the node
/// (`sudo microk8s kubectl`), and the check asks the Service's NodePort on the node's loopback.
/// </summary>
[EnvironmentKind("microk8s")]
public sealed class Microk8s(string name, string? url, SshConnection connection, Cluster cluster) : ClusterEnvironment(name, url, cluster)
{
    public override SshConnection Connection { get; } = connection;

    public static readonly IReadOnlyList<string> Keys = [.. SshReach.Keys, .. ClusterKeys, "url"];

    public static Microk8s Read(EnvironmentSettings settings)
    {
        var node = SshReach.Read(settings);
        return new Microk8s(settings.Name, settings.Optional<string?>("url", null, text => Parse.HttpUrl(text).ToString()), new SshConnection(node), ReadCluster(settings, "sudo microk8s kubectl"));
    }

    public override string ToString() => $"deployment/{Cluster.Deployment} in {Cluster.Namespace} on {Connection.Target}";

    protected override Rollout Scripts(Registry.PinnedImage? image, ReleaseManifests manifests) => new(Cluster, image, manifests);

    protected override Effect<RemoteResult> Run(string purpose, string script, TimeSpan timeout, bool logsOutput = true, string? stateProbe = null) =>
        new RunRemoteScript(Connection, purpose, script, timeout) { LogsOutput = logsOutput, StateProbe = stateProbe };

    protected override string CheckedThrough(ReleaseManifests manifests) => $"NodePort {manifests.NodePort}";

    protected override string Answerer => "its NodePort";
}
