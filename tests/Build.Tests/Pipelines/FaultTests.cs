using Pipeline.Tests.Support;

namespace Pipeline.Tests.Pipelines;

/// <summary>
/// Promote through fault-injecting proxies in front of the real registry and the GitHub double:
/// transient faults are retried to success; permanent ones fail with one clear line and leave
/// nothing half-done, and a re-run without them converges.
/// </summary>
[NonParallelizable]
[Category(TestTiers.EndToEnd)]
[Category(TestTiers.ProductionNodeAside)]
public sealed class FaultTests
{
    private TestEnvironment _environment = null!;
    private AppRepository _app = null!;
    private DevRun _dev = null!;
    private PromoteRun _promote = null!;
    private string _digest = "";

    [SetUp]
    public async Task PushASnapshot()
    {
        _environment = TestEnvironment.Require();
        _app = new AppRepository(PromoteRun.AsideNodePort);
        _dev = new DevRun(_environment);
        _promote = new PromoteRun(_environment, _dev, PromoteRun.AsideNodePort);
        _promote.CreateNamespace();
        var pushed = HostProcess.Run(_app.Root, _dev.Environment(), "--target=Push");
        Assert.That(pushed.ExitCode, Is.Zero, pushed.AllOutput);
        _digest = (await _dev.RegistryDigest(SnapshotTag))!;
    }

    [TearDown]
    public void Clean()
    {
        _promote?.DeleteNamespace();
        foreach (var proxy in _proxies) _promote?.LogNodeOutOfRegistry(proxy);
        _dev?.Clean();
        _app?.Dispose();
    }

    private string SnapshotTag => $"0.1.0-SNAPSHOT-{_app.ShortSha}";

    private readonly List<string> _proxies = [];

    /// <summary>
    /// Promote through the proxies; the node pulls the release through the registry's proxy too.
    /// To the pipeline the proxy is another registry by name, and a signature must name the
    /// repository as it is reached: the snapshot is signed under the proxy's name as well.
    /// </summary>
    private HostResult Promote(FaultProxy registry, FaultProxy github, string retries = "4")
    {
        using (var http = new RegistryHttp(_environment, _dev.Repository))
        {
            http.SignWith(TestKeys.SigningKeyFile, _digest, $"127.0.0.1:{registry.Port}/{_dev.Repository}").GetAwaiter().GetResult();
        }
        _proxies.Add($"127.0.0.1:{registry.Port}");
        _promote.LogNodeIntoRegistry(_proxies[^1]);
        return HostProcess.Run(_app.Root, _promote.Environment(
                ("REGISTRY", $"127.0.0.1:{registry.Port}"),
                ("GITHUB_API_URL", $"http://127.0.0.1:{github.Port}/api/v3/"),
                ("HTTP_TIMEOUT", "2s"),
                ("HTTP_RETRIES", retries)),
            "--target=Promote", $"--snapshot-tag={SnapshotTag}");
    }

    private static FaultProxy Registry(TestEnvironment environment, Func<int, ProxiedRequest, Fault> plan) =>
        new($"http://{environment.Registry}/", plan);

    private static FaultProxy GitHub(TestEnvironment environment, Func<int, ProxiedRequest, Fault> plan) =>
        new(environment.GitHubApiUrl.Replace("/api/v3/", "/"), plan);

    [Test]
    public async Task TransientFaultsAreRetriedAndThePromotionSucceeds()
    {
        using var registry = Registry(_environment, (n, _) => n switch { 1 => Fault.ServiceUnavailable, 2 => Fault.Reset, 3 => Fault.TooManyRequests, 5 => Fault.Stall, _ => Fault.None });
        using var github = GitHub(_environment, (n, _) => n switch { 1 => Fault.ServiceUnavailable, 3 => Fault.Reset, 4 => Fault.TooManyRequests, 6 => Fault.Stall, _ => Fault.None });

        var result = Promote(registry, github);

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.AllOutput, Does.Contain("answered 503 Service Unavailable; retry 1 of 4"));
        Assert.That(result.AllOutput, Does.Contain("answered 429 Too Many Requests; retry"));
        Assert.That(registry.Requests, Has.Some.EndsWith(" Stall"), "the stall happened and was survived");
        var state = await _promote.GitHub();
        Assert.That(state.GetProperty("releases").GetArrayLength(), Is.EqualTo(1));
        Assert.That(state.GetProperty("refs").EnumerateObject().Count(), Is.EqualTo(1));
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.EqualTo(_digest));
        Assert.That(_promote.Revision, Is.EqualTo(1));
    }

    [Test]
    public async Task APermanentRegistryFaultFailsClearlyAndARerunConverges()
    {
        using (var broken = Registry(_environment, (_, request) => request.HttpMethod == "PUT" ? Fault.ServiceUnavailable : Fault.None))
        using (var github = GitHub(_environment, (_, _) => Fault.None))
        {
            var failed = Promote(broken, github, retries: "2");

            Assert.That(failed.ExitCode, Is.Not.Zero);
            Assert.That(failed.LastErrorLine, Is.EqualTo($"Error: Retag: The registry answered PUT {_dev.Repository}:v0.1.0 with 503 Service Unavailable: UNAVAILABLE injected fault (127.0.0.1:{broken.Port}): the registry is failing (the request was retried): re-run when it answers again."));
            Assert.That(broken.Requests.Count(r => r.Contains(" PUT ")), Is.EqualTo(3), "one attempt and two retries");
            Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.Null, "no release tag, so none pointing elsewhere");
            Assert.That(_promote.Deployment(), Is.Null, "production was not touched");
        }

        using var healthy = Registry(_environment, (_, _) => Fault.None);
        using var github2 = GitHub(_environment, (_, _) => Fault.None);
        var rerun = Promote(healthy, github2);

        Assert.That(rerun.ExitCode, Is.Zero, rerun.AllOutput);
        var state = await _promote.GitHub();
        Assert.That(state.GetProperty("releases").GetArrayLength(), Is.EqualTo(1), "no second release");
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.EqualTo(_digest));
        Assert.That(_promote.Revision, Is.EqualTo(1));
    }

    [Test]
    public async Task ARegistryDownDuringResolveSnapshotCreatesNothingAndARerunConverges()
    {
        using (var down = Registry(_environment, (_, _) => Fault.ServiceUnavailable))
        using (var github = GitHub(_environment, (_, _) => Fault.None))
        {
            var failed = Promote(down, github, retries: "1");

            Assert.That(failed.ExitCode, Is.Not.Zero);
            Assert.That(failed.LastErrorLine, Is.EqualTo($"Error: ResolveSnapshot: The registry answered GET {_dev.Repository}:{SnapshotTag} with 503 Service Unavailable: UNAVAILABLE injected fault (127.0.0.1:{down.Port}): the registry is failing (the request was retried): re-run when it answers again."));
            Assert.That(github.Requests, Is.Empty, "GitHub was not asked anything");
            Assert.That(_promote.Deployment(), Is.Null);
        }

        using var registry = Registry(_environment, (_, _) => Fault.None);
        using var github2 = GitHub(_environment, (_, _) => Fault.None);
        var rerun = Promote(registry, github2);

        Assert.That(rerun.ExitCode, Is.Zero, rerun.AllOutput);
        var state = await _promote.GitHub();
        Assert.That(state.GetProperty("releases").GetArrayLength(), Is.EqualTo(1));
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.EqualTo(_digest));
        Assert.That(_promote.Revision, Is.EqualTo(1));
    }

    [Test]
    public async Task ASnapshotWhoseBytesDoNotHashToItsDigestIsRefusedBeforeAnythingIsCreated()
    {
        using var registry = Registry(_environment, (_, request) =>
            request.HttpMethod == "GET" && request.Path.EndsWith($"/manifests/{SnapshotTag}", StringComparison.Ordinal) ? Fault.TamperBody : Fault.None);
        using var github = GitHub(_environment, (_, _) => Fault.None);

        var result = Promote(registry, github);

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Does.StartWith($"Error: ResolveSnapshot: The bytes under 127.0.0.1:{registry.Port}/{_dev.Repository}:{SnapshotTag} hash to sha256:"));
        Assert.That(result.LastErrorLine, Does.EndWith($", not the {_digest} the registry reports: refusing to release them; look at the registry."));
        Assert.That(github.Requests, Is.Empty, "nothing was created on GitHub, nor even asked");
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.Null);
        Assert.That(_promote.Deployment(), Is.Null);
    }

    [Test]
    public async Task AServerThatTricklesItsBodyIsBoundedByTheHttpTimeout()
    {
        using var registry = Registry(_environment, (_, _) => Fault.None);
        using var github = GitHub(_environment, (_, request) => request.HttpMethod == "GET" ? Fault.TrickleBody : Fault.None);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = Promote(registry, github, retries: "1");

        // Two attempts of 2 s and one backoff; the body alone would take minutes at a byte a second.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), result.AllOutput);
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Does.StartWith($"Error: Release: GitHub's API did not answer: no answer within 2s (GET http://127.0.0.1:{github.Port}/api/v3/repos/"));
        Assert.That(result.LastErrorLine, Does.EndWith(", 2 attempt(s)): check GITHUB_API_URL and that the address answers from this machine, then re-run."));
        Assert.That((await _promote.GitHub()).GetProperty("releases").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task AnotherClientErrorFailsAtOnceWithTheServersMessage()
    {
        using var registry = Registry(_environment, (_, request) => request.HttpMethod == "PUT" ? Fault.Forbidden : Fault.None);
        using var github = GitHub(_environment, (_, _) => Fault.None);

        var result = Promote(registry, github);

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Is.EqualTo($"Error: Retag: The registry answered PUT {_dev.Repository}:v0.1.0 with 403 Forbidden: DENIED injected refusal (127.0.0.1:{registry.Port}): check the registry type, its credentials and their rights on this repository, then re-run."));
        Assert.That(registry.Requests.Count(r => r.Contains(" PUT ")), Is.EqualTo(1), "a 403 is not retried");
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.Null);
    }

    [Test]
    public async Task APermanentGitHubFaultStopsBeforeTheImageIsTagged()
    {
        using var registry = Registry(_environment, (_, _) => Fault.None);
        using var github = GitHub(_environment, (_, request) => request.HttpMethod == "POST" ? Fault.ServiceUnavailable : Fault.None);

        var result = Promote(registry, github, retries: "1");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Does.StartWith("Error: Release: GitHub answered 503"));
        var state = await _promote.GitHub();
        Assert.That(state.GetProperty("releases").GetArrayLength(), Is.Zero);
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.Null);
        Assert.That(_promote.Deployment(), Is.Null);
    }
}
