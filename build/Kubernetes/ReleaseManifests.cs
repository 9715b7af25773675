using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Pipeline.Kubernetes;

/// <summary>
/// The manifests as they are applied, and the facts Promote checks production with: which pods
/// are the Deployment's (its selector) and where the Service answers on the node (its NodePort).
/// </summary>
public sealed partial record ReleaseManifests(string Text, string PodSelector, int NodePort)
{
    /// <summary>
    /// Every object of the folder's *.yaml and *.yml files, each a document of its own, with the
    /// Deployment's container already naming the release image, so a promotion is exactly one
    /// rollout (applying another image and then running `set image` would roll out twice). Without
    /// an image (to read what runs now), the manifests are read as they are.
    /// </summary>
    public static ReleaseManifests Render(string directory, string deployment, string container, Registry.PinnedImage? image)
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
        if (image is not null) slot.Image = image.ToString();

        // KubernetesYaml.Serialize ends without a newline: joined bare, "---" would end the last
        // line of one object instead of starting a document, and kubectl would read one object.
        var text = string.Concat(objects.Select(o => "---\n" + KubernetesYaml.Serialize(o).TrimEnd('\n') + "\n"));
        return new ReleaseManifests(text, Selector(target, directory), NodePortOf(objects, target, directory));
    }

    private static string Selector(V1Deployment deployment, string directory)
    {
        var labels = deployment.Spec.Selector?.MatchLabels;
        if (labels is null || labels.Count == 0 || deployment.Spec.Selector!.MatchExpressions is { Count: > 0 })
        {
            throw new BuildInputException($"The Deployment {deployment.Metadata.Name} in {directory} needs a selector of matchLabels only: Promote finds its pods with it.");
        }
        if (labels.Any(pair => !LabelKey().IsMatch(pair.Key) || !LabelValue().IsMatch(pair.Value)))
        {
            throw new BuildInputException($"The Deployment {deployment.Metadata.Name} in {directory} has a selector label that is not a Kubernetes label: fix the manifest.");
        }
        return string.Join(",", labels.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"));
    }

    /// <summary>The NodePort of the Service that sends to the Deployment's pods: where production answers.</summary>
    private static int NodePortOf(List<object> objects, V1Deployment deployment, string directory)
    {
        var podLabels = deployment.Spec.Template.Metadata?.Labels ?? new Dictionary<string, string>();
        var ports = objects.OfType<V1Service>()
            .Where(service => service.Spec?.Type == "NodePort" && service.Spec.Selector is { Count: > 0 } selector
                && selector.All(pair => podLabels.TryGetValue(pair.Key, out var value) && value == pair.Value))
            .SelectMany(service => service.Spec.Ports ?? [])
            .Where(port => port.NodePort is not null)
            .Select(port => port.NodePort!.Value)
            .Distinct()
            .ToList();
        return ports.Count == 1
            ? ports[0]
            : throw new BuildInputException($"{directory} has {(ports.Count == 0 ? "no" : "more than one")} NodePort Service port that sends to the pods of {deployment.Metadata.Name}: Promote checks production through exactly one; fix the manifests.");
    }

    [GeneratedRegex(@"^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?\z")]
    private static partial Regex LabelKey();

    [GeneratedRegex(@"^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?\z")]
    private static partial Regex LabelValue();
}
