using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Pipeline.Tests.Support;

/// <summary>
/// Settings and observations for a Promote run: its own GitHub repository in the double and its
/// own namespace in the MicroK8s stand-in, beside the Dev settings of the same test. Production
/// is observed as a user would: through the Service's NodePort, and with kubectl.
/// </summary>
public sealed class PromoteRun(TestEnvironment environment, DevRun dev, int nodePort = PromoteRun.DefaultNodePort)
{
    /// <summary>The Service's NodePort in manifests/.</summary>
    public const int DefaultNodePort = 30080;

    /// <summary>The NodePort of the fixtures in category ProductionNodeAside, which run beside PromotePipelineTests.</summary>
    public const int AsideNodePort = 30081;

    /// <summary>
    /// The NodePort of this run's production: manifests/' own, or the one the test's AppRepository
    /// was given, so that Promote fixtures in two processes never hold the same port.
    /// </summary>
    public int NodePort { get; } = nodePort;

    /// <summary>
    /// The node is reached as a user of its own per NodePort, so that these runs' SSH sessions are
    /// told apart from those of the processes running beside them.
    /// </summary>
    public string SshUser { get; } = nodePort == DefaultNodePort ? environment.PromoteSshUser : environment.AsideSshUser;

    public string GitHubRepository { get; } = $"tests/{dev.Repository}";
    public string Namespace { get; } = $"ns-{Guid.NewGuid():N}"[..14];

    public Dictionary<string, string?> Environment(params (string Name, string? Value)[] overrides)
    {
        var settings = dev.Environment();
        settings["GITHUB_TOKEN"] = environment.GitHubToken;
        settings["GITHUB_REPOSITORY"] = GitHubRepository;
        settings["GITHUB_API_URL"] = environment.GitHubApiUrl;
        settings["EC2_USER"] = SshUser;
        settings["KUBECTL"] = $"{environment.Microk8s} kubectl";
        settings["K8S_NAMESPACE"] = Namespace;
        settings["ROLLOUT_TIMEOUT"] = "30s";
        settings["PRODUCTION_CHECK_TIMEOUT"] = "20s";
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

    /// <summary>`microk8s kubectl` as the node's owner runs it.</summary>
    public CommandResult Kubectl(params string[] args) => Command.Run(environment.Microk8s, ["kubectl", .. args]);

    public void CreateNamespace() => Succeed(Kubectl("create", "namespace", Namespace));

    public void DeleteNamespace() => Kubectl("delete", "namespace", Namespace);

    /// <summary>The book-shop Deployment as the API server reports it, or null when there is none.</summary>
    public V1Deployment? Deployment()
    {
        var result = Kubectl("get", "deployment", "book-shop", "--namespace", Namespace, "--output", "json");
        if (result.ExitCode != 0 && result.Error.Contains("NotFound", StringComparison.Ordinal)) return null;
        return KubernetesJson.Deserialize<V1Deployment>(Succeed(result));
    }

    public int Revision => int.Parse(Deployment()!.Metadata.Annotations["deployment.kubernetes.io/revision"]);

    /// <summary>The Deployment's pods that are not terminating.</summary>
    public IReadOnlyList<V1Pod> ServingPods() =>
        KubernetesJson.Deserialize<V1PodList>(Succeed(Kubectl("get", "pods", "--namespace", Namespace, "--selector", "app.kubernetes.io/name=book-shop", "--output", "json")))
            .Items.Where(pod => pod.Metadata.DeletionTimestamp is null).ToList();

    /// <summary>A pod's own address on the node (the stand-in's stand-in for a pod IP).</summary>
    public static Uri PodUrl(V1Pod pod) =>
        new($"http://127.0.0.1:{JsonDocument.Parse(pod.Metadata.Annotations["stand-in.book-shop.test/node-ports"]).RootElement.GetProperty("http").GetInt32()}");

    /// <summary>podman's view of a pod's container: what the node really runs.</summary>
    public CommandResult Podman(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("podman") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["CONTAINERS_CONF"] = environment.ContainersConf;
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new CommandResult(process.ExitCode, output.Result, error.Result);
    }

    public string ContainerOf(V1Pod pod) => $"{Namespace}--{pod.Metadata.Name}-book-shop";

    /// <summary>The node forgets its registry login: pulls of images it does not have fail, as with expired credentials.</summary>
    public void LogNodeOutOfRegistry(string? registry = null) => EditNodeLogins(auths => auths.Remove(registry ?? environment.Registry));

    /// <summary>
    /// The node's registry login, as the host's owner sets it up, written into its auth file
    /// (podman's format) without asking the registry: a fault proxy's plan counts every request.
    /// </summary>
    public void LogNodeIntoRegistry(string? registry = null) => EditNodeLogins(auths => auths[registry ?? environment.Registry] = new JsonObject
    {
        ["auth"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{environment.RegistryUsername}:{environment.RegistryPassword}")),
    });

    private void EditNodeLogins(Action<JsonObject> edit)
    {
        var file = environment.Microk8sAuthFile;
        var document = File.Exists(file) ? JsonNode.Parse(File.ReadAllText(file))!.AsObject() : new JsonObject();
        if (document["auths"] is not JsonObject auths) document["auths"] = auths = new JsonObject();
        edit(auths);
        File.WriteAllText(file, document.ToJsonString());
    }

    public static async Task<string> Get(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await http.GetStringAsync(url);
    }

    public Uri Production(string path) => new($"http://127.0.0.1:{NodePort}{path}");

    private static string Succeed(CommandResult result)
    {
        Assert.That(result.ExitCode, Is.Zero, result.Error);
        return result.Output;
    }
}

/// <summary>
/// Polls production's NodePort on fresh connections every 20 ms until stopped, and counts each
/// answer: what a user hitting production during a promotion would have seen.
/// </summary>
public sealed class NodePortPoller : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _polling;
    private readonly List<string> _seen = [];

    public NodePortPoller(Uri url)
    {
        _polling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                string seen;
                try
                {
                    // A new connection each time, so that kube-proxy picks a pod each time.
                    using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(5) };
                    seen = await http.GetStringAsync(url);
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    seen = $"FAILED: {exception.Message}";
                }
                lock (_seen) _seen.Add(seen);
                await Task.Delay(20);
            }
        });
    }

    /// <summary>Every answer in order, with consecutive repeats folded.</summary>
    public async Task<(IReadOnlyList<string> Sequence, int Failures, int Total)> Stop()
    {
        await _stop.CancelAsync();
        await _polling;
        lock (_seen)
        {
            var sequence = _seen.Where((answer, index) => index == 0 || _seen[index - 1] != answer).ToList();
            return (sequence, _seen.Count(answer => answer.StartsWith("FAILED", StringComparison.Ordinal)), _seen.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await Stop();
        _stop.Dispose();
    }
}
