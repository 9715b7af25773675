using k8s;
using k8s.Models;
using Pipeline.Kubernetes;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Deployables;

/// <summary>
/// What Rollout sends to the host, read back by KubernetesClient and by the real kubectl client
/// (offline), the way `kubectl apply` on the host reads it.
/// </summary>
public sealed class RenderedManifestTests
{
    private static readonly Pipeline.Registry.PinnedImage Image =
        new Pipeline.Registry.ImageRepository(Pipeline.Registry.RegistryAddress.Parse("public.ecr.aws/abc1d2e3"), "book-shop").Reference("v1.2.0")
            .Pinned(Pipeline.Registry.ImageDigest.Parse("sha256:" + new string('a', 64)));
    private static readonly string Folder = Path.Combine(RepositoryRoot.Path, "manifests");

    private static readonly string[] Objects = ["deployment.apps/book-shop", "persistentvolumeclaim/book-shop-data", "poddisruptionbudget.policy/book-shop", "service/book-shop"];

    [Test]
    public void KubectlReadsEveryObjectOfTheManifestsFolder()
    {
        var rendered = ReleaseManifests.Render(Folder, "book-shop", "book-shop", Image);
        var file = Path.Combine(Path.GetTempPath(), $"rendered-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, rendered.Text);
        try
        {
            var kubectl = Kubectl("label", "--local", "-f", file, "rendered=true", "-o", "name");
            var images = Kubectl("label", "--local", "-f", file, "rendered=true", "-o", "jsonpath={.spec.template.spec.containers[*].image}");

            Assert.That(kubectl.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(Objects), kubectl.Error);
            Assert.That(images.Output, Is.EqualTo(Image.ToString()), "the Deployment's container names the release image");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void KubernetesClientReadsTheSameObjectsWithTheReleaseImage()
    {
        var rendered = ReleaseManifests.Render(Folder, "book-shop", "book-shop", Image);

        var objects = KubernetesYaml.LoadAllFromString(rendered.Text).Cast<IKubernetesObject<V1ObjectMeta>>().ToList();

        Assert.That(objects.Select(o => $"{o.Kind}/{o.Metadata.Name}"), Is.EqualTo(new[] { "Deployment/book-shop", "PersistentVolumeClaim/book-shop-data", "PodDisruptionBudget/book-shop", "Service/book-shop" }));
        Assert.That(objects.OfType<V1Deployment>().Single().Spec.Template.Spec.Containers.Single().Image, Is.EqualTo(Image.ToString()));
        Assert.That(rendered.Text.Split('\n'), Has.Exactly(4).EqualTo("---"), "each object a document of its own");
    }

    [Test]
    public void TheCheckFindsThePodsByTheDeploymentsSelectorAndProductionOnTheServicesNodePort()
    {
        var rendered = ReleaseManifests.Render(Folder, "book-shop", "book-shop", Image);

        Assert.That(rendered.PodSelector, Is.EqualTo("app.kubernetes.io/name=book-shop"));
        Assert.That(rendered.NodePort, Is.EqualTo(30080));
    }

    [Test]
    public void ManifestsWithoutANodePortServiceForThePodsAreRefusedWithWhatToFix()
    {
        var folder = Directory.CreateTempSubdirectory("manifests-").FullName;
        try
        {
            File.Copy(Path.Combine(Folder, "deployment.yaml"), Path.Combine(folder, "deployment.yaml"));

            var error = Assert.Throws<BuildInputException>(() => ReleaseManifests.Render(folder, "book-shop", "book-shop", Image));

            Assert.That(error!.Message, Is.EqualTo($"{folder} has no NodePort Service port that sends to the pods of book-shop: Promote checks production through exactly one; fix the manifests."));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static CommandResult Kubectl(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["KUBECONFIG"] = "/dev/null";
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)
            ?? throw new InvalidOperationException("kubectl could not be started (apt-get install kubectl)");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new CommandResult(process.ExitCode, output.Result, error.Result);
    }
}
