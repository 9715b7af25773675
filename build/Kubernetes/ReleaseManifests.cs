using k8s;
using k8s.Models;

namespace Pipeline.Kubernetes;

/// <summary>
/// The manifests as they are applied: the Deployment's container already names the release
/// image, so a promotion is exactly one rollout (applying a manifest with another image and then
/// running `set image` would roll out twice, the first time the wrong image).
/// </summary>
public static class ReleaseManifests
{
    public static string Render(string directory, string deployment, string container, string image)
    {
        if (!Directory.Exists(directory))
        {
            throw new BuildInputException($"--manifests / MANIFESTS_DIR: {directory} does not exist: point it at the folder with the Kubernetes manifests.");
        }
        var files = Directory.GetFiles(directory, "*.yaml").Concat(Directory.GetFiles(directory, "*.yml")).Order(StringComparer.Ordinal).ToList();
        var objects = new List<object>();
        foreach (var file in files)
        {
            try
            {
                objects.AddRange(KubernetesYaml.LoadAllFromString(File.ReadAllText(file)));
            }
            catch (Exception exception) when (exception is YamlDotNet.Core.YamlException or InvalidOperationException or KeyNotFoundException)
            {
                throw new BuildInputException($"{file} is not a Kubernetes manifest KubernetesClient can read ({exception.Message.Split('\n')[0]}).");
            }
        }

        var target = objects.OfType<V1Deployment>().SingleOrDefault(d => d.Metadata?.Name == deployment)
            ?? throw new BuildInputException($"No Deployment named {deployment} in {directory}: check --k8s-deployment / K8S_DEPLOYMENT.");
        var slot = target.Spec?.Template?.Spec?.Containers?.SingleOrDefault(c => c.Name == container)
            ?? throw new BuildInputException($"The Deployment {deployment} has no container named {container}: check --k8s-container / K8S_CONTAINER.");
        slot.Image = image;

        return string.Join("---\n", objects.Select(KubernetesYaml.Serialize));
    }
}
