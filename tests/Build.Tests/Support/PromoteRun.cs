using System.Text.Json;

namespace Pipeline.Tests.Support;

/// <summary>
/// Settings and observations for a Promote run: its own GitHub repository in the double and its
/// own namespace in the MicroK8s stand-in, beside the Dev settings of the same test.
/// </summary>
public sealed class PromoteRun(TestEnvironment environment, DevRun dev)
{
    public string GitHubRepository { get; } = $"tests/{dev.Repository}";
    public string Namespace { get; } = $"ns-{Guid.NewGuid():N}"[..14];

    public Dictionary<string, string?> Environment(params (string Name, string? Value)[] overrides)
    {
        var settings = dev.Environment();
        settings["GITHUB_TOKEN"] = environment.GitHubToken;
        settings["GITHUB_REPOSITORY"] = GitHubRepository;
        settings["GITHUB_API_URL"] = environment.GitHubApiUrl;
        settings["KUBECTL"] = $"{environment.Microk8s} kubectl";
        settings["K8S_NAMESPACE"] = Namespace;
        settings["ROLLOUT_TIMEOUT"] = "30s";
        foreach (var (name, value) in overrides) settings[name] = value;
        return settings;
    }

    /// <summary>What the GitHub double holds for this repository.</summary>
    public async Task<JsonElement> GitHub()
    {
        using var http = new HttpClient();
        var json = await http.GetStringAsync($"{environment.GitHubStateUrl}{GitHubRepository}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>The stand-in's record of this namespace's book-shop Deployment, or null.</summary>
    public JsonElement? Deployment()
    {
        var path = Path.Combine(environment.Microk8sState, "deployments.json");
        if (!File.Exists(path)) return null;
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.TryGetProperty($"{Namespace}/book-shop", out var entry) ? entry.Clone() : null;
    }

    public void SeedDeployment(string image)
    {
        var path = Path.Combine(environment.Microk8sState, "deployments.json");
        var state = File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(path))! : [];
        state[$"{Namespace}/book-shop"] = JsonSerializer.SerializeToElement(new { image, revision = 1, history = new[] { image } });
        File.WriteAllText(path, JsonSerializer.Serialize(state));
    }

    public string FailRolloutFlag => Path.Combine(environment.Microk8sState, $"fail-rollout-{Namespace}-book-shop");

    public int StandInCalls()
    {
        var log = Path.Combine(environment.Microk8sState, "calls.log");
        return File.Exists(log) ? File.ReadLines(log).Count(line => line.Contains(Namespace, StringComparison.Ordinal)) : 0;
    }
}
