using System.Net.Http.Headers;
using System.Text;

namespace Pipeline.Tests.Support;

/// <summary>
/// Settings for a Dev run against the test environment, each test with its own repository,
/// container and port so that tests never see each other's effects.
/// </summary>
public sealed class DevRun(TestEnvironment environment)
{
    public string Repository { get; } = $"e2e-{Guid.NewGuid():N}"[..16];
    public string Container { get; } = $"dev-app-{Guid.NewGuid():N}"[..20];
    public int Port { get; set; } = FreePort.Next();
    public int BackupPort { get; set; } = FreePort.Next();
    public string Output { get; } = Path.Combine(Path.GetTempPath(), $"gh-output-{Guid.NewGuid():N}");
    public string Summary { get; } = Path.Combine(Path.GetTempPath(), $"gh-summary-{Guid.NewGuid():N}");

    public Dictionary<string, string?> Environment(string? hostKeyLine = null) => new()
    {
        ["CI"] = "true",
        ["REGISTRY"] = environment.Registry,
        ["REGISTRY_TYPE"] = "ecr-public",
        ["IMAGE_REPOSITORY"] = Repository,
        ["AWS_ACCESS_KEY_ID"] = environment.AwsAccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = environment.AwsSecretAccessKey,
        ["AWS_ENDPOINT_URL_ECR_PUBLIC"] = environment.EcrEndpoint,
        ["AWS_PROFILE"] = null,
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent",
        ["AWS_CONFIG_FILE"] = "/nonexistent",
        ["BASE_IMAGE"] = environment.BaseImage,
        ["EC2_HOST"] = environment.SshHost,
        ["EC2_PORT"] = environment.SshPort.ToString(),
        ["EC2_USER"] = environment.SshUser,
        ["EC2_SSH_KEY"] = File.ReadAllText(environment.SshKeyFile),
        ["EC2_HOST_KEY"] = hostKeyLine ?? environment.SshHostKeyLine,
        ["SIGNING_KEY_FILE"] = TestKeys.SigningKeyFile,
        ["DEV_CONTAINER"] = Container,
        ["DEV_HOST_PORT"] = Port.ToString(),
        ["DEV_BACKUP_PORT"] = BackupPort.ToString(),
        ["DEV_NGINX_SITE"] = environment.DevNginxSite,
        ["DEV_NGINX_CONF"] = environment.DevNginxConf,
        ["HEALTH_TIMEOUT"] = "20s",
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_OUTPUT"] = Output,
        ["GITHUB_STEP_SUMMARY"] = Summary,
        ["GITHUB_SERVER_URL"] = "https://github.com",
        ["GITHUB_REPOSITORY"] = "example/book-shop",
        ["GITHUB_RUN_ID"] = "4242",
    };

    public string Reference(string tag) => $"{environment.Registry}/{Repository}:{tag}";

    /// <summary>
    /// The digest the registry itself reports for a tag (HEAD, as a client would ask): with the
    /// basic user of the htpasswd registry, or an anonymous pull token where the registry asks
    /// for a bearer token (the token-mode registry, as ECR Public's public repositories allow).
    /// </summary>
    public async Task<string?> RegistryDigest(string tag)
    {
        using var http = new HttpClient();
        HttpRequestMessage Head(AuthenticationHeaderValue authorization)
        {
            var request = new HttpRequestMessage(HttpMethod.Head, $"http://{environment.Registry}/v2/{Repository}/manifests/{tag}");
            request.Headers.Authorization = authorization;
            request.Headers.TryAddWithoutValidation("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json");
            return request;
        }
        var response = await http.SendAsync(Head(new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{environment.RegistryUsername}:{environment.RegistryPassword}")))));
        if (response.Headers.WwwAuthenticate.FirstOrDefault() is { Scheme: "Bearer", Parameter: { } challenge })
        {
            var values = Pipeline.Registry.RegistryClient.ParseChallenge(challenge);
            using var answer = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(
                $"{values["realm"]}?service={Uri.EscapeDataString(values["service"])}&scope={Uri.EscapeDataString($"repository:{Repository}:pull")}"));
            response.Dispose();
            response = await http.SendAsync(Head(new AuthenticationHeaderValue("Bearer", answer.RootElement.GetProperty("token").GetString())));
        }
        using (response)
        {
            return response.IsSuccessStatusCode ? response.Headers.GetValues("Docker-Content-Digest").Single() : null;
        }
    }

    public async Task<string> Version()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await http.GetStringAsync($"http://127.0.0.1:{Port}/version");
    }

    /// <summary>Every secret value of the run, in each form it could leak in.</summary>
    public IEnumerable<string> SecretValues()
    {
        yield return environment.AwsSecretAccessKey;
        yield return environment.EcrRegistryPassword;
        yield return environment.RegistryPassword;
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes($"AWS:{environment.EcrRegistryPassword}"));
        foreach (var file in new[] { environment.SshKeyFile, TestKeys.SigningKeyFile })
        {
            foreach (var line in File.ReadAllLines(file).Where(line => line.Length > 0 && !line.StartsWith("-----", StringComparison.Ordinal)))
            {
                yield return line;
            }
        }
    }

    public void Clean()
    {
        DockerEngine.Run("rm", "--force", Container, $"{Container}-next");
        foreach (var image in DockerEngine.Run("images", "--quiet", $"{environment.Registry}/{Repository}").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            DockerEngine.RemoveImages(image);
        }
        File.Delete(Output);
        File.Delete(Summary);
    }
}
