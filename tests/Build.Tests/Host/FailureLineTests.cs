using Pipeline.Tests.Support;

namespace Pipeline.Tests.Host;

/// <summary>
/// A network or parse failure ends the run with one line that names the task, what failed,
/// where, and what to do, instead of a .NET one-liner ("Connection refused", "Invalid JSON
/// string", "The given key was not present in the dictionary."). No stack trace unless asked.
/// </summary>
[Parallelizable]
public sealed class FailureLineTests
{
    private const string Key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

    private TempGitRepository _repository = null!;
    private string _sha7 = "";

    [SetUp]
    public void CreateRepository()
    {
        _repository = new TempGitRepository();
        _repository.Write("pyproject.toml", "[project]\nname = \"book-shop\"\nversion = \"0.1.0\"\n");
        _repository.CopyPublicKey();
        _sha7 = _repository.Commit()[..7];
    }

    [TearDown]
    public void DeleteRepository() => _repository.Dispose();

    /// <summary>Promote runs as a dry run (its GitHub reads fail the same way, and nothing can be created) unless asked for real.</summary>
    private HostResult Run(string target, params (string Name, string? Value)[] settings) => Run(target, target == "Promote", [], settings);

    private HostResult Run(string target, bool dryRun, string[] arguments, params (string Name, string? Value)[] settings)
    {
        var environment = new Dictionary<string, string?>
        {
            ["REGISTRY"] = $"127.0.0.1:{FreePort.Next()}",
            ["REGISTRY_TYPE"] = "none",
            ["HTTP_RETRIES"] = "0",
            ["EC2_HOST"] = "127.0.0.1",
            ["EC2_SSH_KEY"] = Key,
            ["SIGNING_KEY_FILE"] = TestKeys.SigningKeyFile,
            ["EC2_HOST_KEY"] = "SHA256:7SbEiTfM+epxoCMeWlI7ZQ26OhyQH9GTWg3nWWJnPOs",
            ["GITHUB_TOKEN"] = "token-for-failure-lines",
            ["GITHUB_REPOSITORY"] = "example/book-shop",
            ["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE",
            ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        };
        foreach (var (name, value) in settings) environment[name] = value;
        var result = HostProcess.Run(_repository.Root, environment, ["--target=" + target, .. dryRun ? ["--dry-run"] : Array.Empty<string>(), .. arguments]);

        Assert.That(result.ExitCode, Is.Not.Zero, result.AllOutput);
        Assert.That(result.StandardError.Split('\n').Count(line => line.StartsWith("Error:", StringComparison.Ordinal)), Is.EqualTo(1), result.StandardError);
        if (!arguments.Contains("--verbosity=diagnostic")) Assert.That(result.AllOutput, Does.Not.Contain("   at "));
        Assert.That(result.AllOutput, Does.Not.Contain("token-for-failure-lines").And.Not.Contain("wJalrXUtnFEMI"));
        return result;
    }

    [Test]
    public void ARegistryThatRefusesTheConnection()
    {
        var closed = FreePort.Next();

        var result = Run("Dev", ("REGISTRY", $"127.0.0.1:{closed}"));

        Assert.That(result.LastErrorLine, Is.EqualTo(
            $"Error: Build: the registry did not answer: the connection was refused (HEAD http://127.0.0.1:{closed}/v2/book-shop/manifests/0.1.0-SNAPSHOT-{_sha7}, 1 attempt(s)): check REGISTRY and that the address answers from this machine, then re-run."));
    }

    [TestCase("not JSON at all")]
    [TestCase("{}")]
    [TestCase("{\"authorizationData\":{\"authorizationToken\":\"not base64!\"}}")]
    public void AnEcrPublicAnswerWithoutAToken(string body)
    {
        using var ecr = new CannedServer(_ => new(200, body, "application/x-amz-json-1.1"));

        var result = Run("Dev", ("REGISTRY_TYPE", "ecr-public"), ("REGISTRY", "public.ecr.aws/example"), ("AWS_ENDPOINT_URL_ECR_PUBLIC", ecr.Url));

        Assert.That(result.LastErrorLine, Is.EqualTo(
            $"Error: Login: ECR Public's answer to GetAuthorizationToken has no authorizationData.authorizationToken of base64 user:password ({ecr.Url}): " +
            "check AWS_ENDPOINT_URL_ECR_PUBLIC and AWS_ENDPOINT_URL (unset means the real endpoint), then re-run."));
    }

    [Test]
    public void AnEcrPublicEndpointThatRefusesTheConnection()
    {
        var closed = FreePort.Next();

        var result = Run("Dev", ("REGISTRY_TYPE", "ecr-public"), ("REGISTRY", "public.ecr.aws/example"), ("AWS_ENDPOINT_URL_ECR_PUBLIC", $"http://127.0.0.1:{closed}/"));

        Assert.That(result.LastErrorLine, Is.EqualTo($"Error: Login: ECR Public's API did not answer: the connection was refused (POST http://127.0.0.1:{closed}/, 1 attempt(s)): check AWS_ENDPOINT_URL_ECR_PUBLIC (or AWS_ENDPOINT_URL; unset means the real endpoint) and that the address answers from this machine, then re-run."));
    }

    [TestCase("not JSON at all", "SerializationException: Invalid JSON string")]
    [TestCase("{}", "NullReferenceException: Object reference not set to an instance of an object.")]
    public void AGitHubAnswerThatIsNotGitHubs(string body, string said)
    {
        using var github = new CannedServer(_ => new(200, body));

        var result = Run("Promote", ("GITHUB_API_URL", github.Url), ("SNAPSHOT_TAG", $"0.1.0-SNAPSHOT-{_sha7}"));

        Assert.That(result.LastErrorLine, Is.EqualTo(
            $"Error: Release: GitHub's answer could not be read ({said}) ({github.Url}): " +
            "check that GITHUB_API_URL is a GitHub API (https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise), then re-run Promote: what exists is kept."));
    }

    [Test]
    public void ARegistryAnswerThatIsNotAManifest()
    {
        using var registry = new CannedServer(_ => new(200, "{\"hello\":\"world\"}"));

        // A real run: a dry run goes on without what the registry could not tell it.
        var result = Run("Promote", dryRun: false, [], ("REGISTRY", $"127.0.0.1:{registry.Port}"), ("SNAPSHOT_TAG", $"0.1.0-SNAPSHOT-{_sha7}"));

        Assert.That(result.LastErrorLine, Is.EqualTo(
            $"Error: ResolveSnapshot: The registry's answer to GET book-shop:0.1.0-SNAPSHOT-{_sha7} is not an image manifest (content type \"application/json\") " +
            $"(127.0.0.1:{registry.Port}): check that REGISTRY is an OCI registry, then re-run."));
    }

    [Test]
    public void ATokenServiceThatAnswersWithoutAToken()
    {
        using var tokens = new CannedServer(_ => new(200, "<html>sign in</html>", "text/html"));
        using var registry = new CannedServer(_ => new(401, "", Headers: new Dictionary<string, string>
        {
            ["WWW-Authenticate"] = $"Bearer realm=\"{tokens.Url}token\",service=\"registry\"",
        }));

        var result = Run("Dev", ("REGISTRY", $"127.0.0.1:{registry.Port}"));

        Assert.That(result.LastErrorLine, Is.EqualTo(
            $"Error: Build: The registry's token service answered without a token ({tokens.Url}token): check the registry type and its credentials, then re-run."));
    }

    [Test]
    public void DiagnosticVerbosityAddsTheStackTrace()
    {
        var closed = FreePort.Next();

        var result = Run("Dev", dryRun: false, ["--verbosity=diagnostic"], ("REGISTRY", $"127.0.0.1:{closed}"));

        Assert.That(result.AllOutput, Does.Contain("Build: the registry did not answer: the connection was refused").And.Contain("   at "));
    }
}
