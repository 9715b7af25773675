using k8s;
using k8s.Models;

using Pipeline.Tests.Support;

namespace Pipeline.Tests.Deployables;

/// <summary>The production manifests, loaded into KubernetesClient's typed objects.</summary>
public sealed class ManifestTests
{
    private static readonly string Folder = Path.Combine(RepositoryRoot.Path, "manifests");

    private static List<object> LoadAll() =>
        Directory.GetFiles(Folder, "*.yaml").Order().SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(file))).ToList();

    private static V1Deployment Deployment => LoadAll().OfType<V1Deployment>().Single(d => d.Metadata.Name == "book-shop");

    private static V1Container Container => Deployment.Spec.Template.Spec.Containers.Single(c => c.Name == "book-shop");

    [Test]
    public void EveryManifestParsesIntoAKnownKind()
    {
        var objects = LoadAll();

        Assert.That(objects.Select(o => o.GetType().Name), Is.EquivalentTo(new[] { nameof(V1Deployment), nameof(V1PersistentVolumeClaim), nameof(V1PodDisruptionBudget), nameof(V1Service) }));
    }

    [Test]
    public void EveryReplicaMountsTheOneCatalogueOnTheNodesHostpathStorage()
    {
        var claim = LoadAll().OfType<V1PersistentVolumeClaim>().Single();
        var data = Deployment.Spec.Template.Spec.Volumes.Single(volume => volume.Name == "data");

        Assert.That(data.PersistentVolumeClaim.ClaimName, Is.EqualTo(claim.Metadata.Name));
        Assert.That(claim.Spec.StorageClassName, Is.EqualTo("microk8s-hostpath"));
        Assert.That(claim.Spec.AccessModes, Is.EqualTo(new[] { "ReadWriteOnce" }), "one node, every replica on it");
        Assert.That(Container.VolumeMounts.Single(mount => mount.Name == "data").MountPath, Is.EqualTo("/var/lib/book-shop"));
        Assert.That(Container.Env.Single(variable => variable.Name == "BOOK_SHOP_DB").Value, Does.StartWith("/var/lib/book-shop/"));
    }

    [Test]
    public void ARolloutNeverDropsCapacity()
    {
        var spec = Deployment.Spec;

        Assert.That(spec.Strategy.Type, Is.EqualTo("RollingUpdate"));
        Assert.That(spec.Strategy.RollingUpdate.MaxUnavailable.Value, Is.EqualTo("0"));
        Assert.That(spec.Strategy.RollingUpdate.MaxSurge.Value, Is.EqualTo("1"));
        Assert.That(spec.Replicas, Is.GreaterThanOrEqualTo(2));
        Assert.That(spec.ProgressDeadlineSeconds, Is.InRange(30, 600));
    }

    [Test]
    public void TheContainerIsProbedOnHealthzAndStopsGracefully()
    {
        var container = Container;
        var pod = Deployment.Spec.Template.Spec;

        Assert.That(container.Ports.Single().ContainerPort, Is.EqualTo(8000));
        Assert.That(container.ReadinessProbe.HttpGet.Path, Is.EqualTo("/healthz"));
        Assert.That(container.LivenessProbe.HttpGet.Path, Is.EqualTo("/healthz"));
        Assert.That(container.Lifecycle.PreStop.Exec.Command, Is.EqualTo(new[] { "sleep", "5" }));
        Assert.That(pod.TerminationGracePeriodSeconds, Is.GreaterThan(5));
    }

    [Test]
    public void TheContainerHasRequestsAndLimitsAndRunsAsNonRoot()
    {
        var container = Container;
        var pod = Deployment.Spec.Template.Spec;

        Assert.That(container.Resources.Requests.Keys, Is.EquivalentTo(new[] { "cpu", "memory" }));
        Assert.That(container.Resources.Limits.Keys, Is.EquivalentTo(new[] { "cpu", "memory" }));
        Assert.That(pod.SecurityContext.RunAsNonRoot, Is.True);
        Assert.That(pod.SecurityContext.RunAsUser, Is.EqualTo(10001));
        Assert.That(container.SecurityContext.AllowPrivilegeEscalation, Is.False);
    }

    [Test]
    public void TheImageIsTheRegistryPathWithATagTheRolloutReplaces()
    {
        Assert.That(Container.Image, Does.Match(@"^public\.ecr\.aws/[A-Za-z_]+/book-shop:[A-Za-z0-9_.-]+$"));
    }

    [Test]
    public void TheServiceSelectsThePodsAndIsReachableOnItsNodePort()
    {
        var service = LoadAll().OfType<V1Service>().Single();
        var labels = Deployment.Spec.Template.Metadata.Labels;

        Assert.That(service.Spec.Type, Is.EqualTo("NodePort"));
        Assert.That(service.Spec.Selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value), Is.True);
        Assert.That(service.Spec.Ports.Single().NodePort, Is.EqualTo(30080));
        Assert.That(service.Spec.Ports.Single().TargetPort.Value, Is.EqualTo("http"));
        Assert.That(Deployment.Spec.Selector.MatchLabels.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value), Is.True,
            "the Deployment selects its own pods");
    }

    [Test]
    public void ABudgetKeepsOnePodThroughVoluntaryDisruptions()
    {
        var budget = LoadAll().OfType<V1PodDisruptionBudget>().Single();

        Assert.That(budget.Spec.MinAvailable?.Value, Is.EqualTo("1"));
        Assert.That(budget.Spec.MaxUnavailable, Is.Null);
        Assert.That(budget.Spec.Selector.MatchLabels, Is.EqualTo(Deployment.Spec.Selector.MatchLabels), "it counts the Deployment's pods");
        Assert.That(Deployment.Spec.Replicas, Is.GreaterThan(1), "with one replica, a budget of one would block every drain");
    }

    [Test]
    public void EveryObjectAndThePodsCarryTheRecommendedLabels()
    {
        string[] recommended = ["app.kubernetes.io/name", "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"];
        foreach (var labels in LoadAll().Cast<IKubernetesObject<V1ObjectMeta>>().Select(o => o.Metadata.Labels).Append(Deployment.Spec.Template.Metadata.Labels))
        {
            Assert.That(labels.Keys, Is.SupersetOf(recommended));
            Assert.That(labels["app.kubernetes.io/name"], Is.EqualTo("book-shop"));
            Assert.That(labels["app.kubernetes.io/part-of"], Is.EqualTo("book-shop"));
        }
    }
}
