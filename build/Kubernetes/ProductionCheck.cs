using System.Text.Json;
using k8s;
using k8s.Models;
using Pipeline.Remote;

namespace Pipeline.Kubernetes;

/// <summary>
/// What an environment serves after a rollout, read from <see cref="Rollout.CheckScript"/>'s output:
/// the answers it gave (the Service's NodePort, or its URL), and the Deployment's pods as the API server lists them.
/// </summary>
public sealed record ProductionCheck(IReadOnlyList<string> Answers, bool Steady, V1PodList? Pods)
{
    private const string AnswerPrefix = "answers: ";

    public static ProductionCheck Read(IReadOnlyList<string> output)
    {
        var marker = output.ToList().IndexOf(Rollout.PodsMarker);
        var answerLines = marker < 0 ? output : output.Take(marker).ToList();
        var answers = answerLines
            .Select(line => line.IndexOf(AnswerPrefix, StringComparison.Ordinal) is var at and >= 0 ? line[(at + AnswerPrefix.Length)..] : null)
            .OfType<string>()
            .ToList();
        var steady = marker >= 0 && !answerLines.Any(line => line.StartsWith("no steady answer", StringComparison.Ordinal));
        V1PodList? pods = null;
        if (marker >= 0)
        {
            try
            {
                pods = KubernetesJson.Deserialize<V1PodList>(string.Join('\n', output.Skip(marker + 1)));
            }
            catch (JsonException)
            {
                pods = null;
            }
        }
        return new ProductionCheck(answers, steady, pods);
    }

    /// <summary>Why the environment does not serve the release, or nothing when it does; <paramref name="answerer"/> is what the check asked ("its NodePort", a URL).</summary>
    public IReadOnlyList<string> Problems(string answerer, string releaseTag, Registry.ImageDigest digest, string container)
    {
        var problems = new List<string>();
        if (!Steady)
        {
            problems.Add($"{answerer} did not answer {Rollout.SteadyAnswers} times in a row with {releaseTag} (last answer: {Answers.LastOrDefault() ?? "none"})");
        }
        if (Pods is null)
        {
            problems.Add("its pods could not be listed");
            return problems;
        }
        var serving = Pods.Items.Where(pod => pod.Metadata.DeletionTimestamp is null).ToList();
        if (serving.Count == 0) problems.Add("no pod of the Deployment is running");
        foreach (var pod in serving)
        {
            var imageId = pod.Status?.ContainerStatuses?.SingleOrDefault(status => status.Name == container)?.ImageID;
            // containerd reports <repository>@sha256:..., Docker's runtime docker-pullable://<repository>@sha256:...
            if (imageId is null || !imageId.EndsWith("@" + digest.Value, StringComparison.Ordinal))
            {
                problems.Add($"pod {pod.Metadata.Name} runs {(string.IsNullOrEmpty(imageId) ? "no image yet" : imageId)}, not {digest}");
            }
        }
        return problems;
    }
}
