using System.Net.Http;
using System.Text.Json;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Pipelines;

/// <summary>
/// The registry path production takes, against a real registry: distribution in token mode
/// behind the front that answers like ECR Public, with the double of ECR Public's token service
/// (tests/env/ecr_public_token_double.py) and the ECR Public double for GetAuthorizationToken.
/// Dev and Promote run as in production (REGISTRY_TYPE=ecr-public): docker login, build and
/// push; the digest read back; ResolveSnapshot; registry-mode Retag with its digest checks; the
/// node pulls the release anonymously, as it would from a public repository.
/// </summary>
[NonParallelizable]
[Category(TestTiers.EndToEnd)]
[Category(TestTiers.ProductionNodeAside)]
public sealed class TokenRegistryTests
{
    private TestEnvironment _environment = null!;
    private AppRepository _app = null!;
    private DevRun _dev = null!;
    private PromoteRun _promote = null!;
    private string _main = "";

    [SetUp]
    public void UseTheTokenRegistry()
    {
        var shared = TestEnvironment.Require();
        // The same environment, with the token-mode registry where the htpasswd one was.
        _environment = shared with { Registry = shared.TokenRegistry };
        _app = new AppRepository(PromoteRun.AsideNodePort);
        // Its deploys leave the host's nginx alone: the site is the Dev side's tests', which run
        // beside these and change it on purpose (DeployDev then says it leaves the site as it is).
        _app.Remove("infra/nginx-dev.conf");
        _dev = new DevRun(_environment);
        _promote = new PromoteRun(_environment, _dev, PromoteRun.AsideNodePort);
        _promote.CreateNamespace();
        _main = _app.CurrentBranch;
    }

    [TearDown]
    public async Task Clean()
    {
        await SetTokenLifetime(60, null);
        _promote?.DeleteNamespace();
        _dev?.Clean();
        _app?.Dispose();
    }

    /// <summary>
    /// The lifetime of the tokens the pipeline's own client gets (docker keeps the default, so that
    /// its pushes are not what fails). The registry allows 60 s of clock skew past a token's exp.
    /// </summary>
    private async Task SetTokenLifetime(int seconds, string? userAgent = "book-shop-pipeline", int? count = null)
    {
        using var http = new HttpClient();
        var url = $"{_environment.TokenServiceControl}_lifetime?seconds={seconds}" + (userAgent is null ? "" : $"&userAgent={Uri.EscapeDataString(userAgent)}") +
            (count is null ? "" : $"&count={count}");
        (await http.PostAsync(url, null)).EnsureSuccessStatusCode();
    }

    private sealed record TokenRequest(string? User, string UserAgent, string[] Scopes, JsonElement Granted);

    /// <summary>The token service's log from a given line on: what each client asked for, and got.</summary>
    private List<TokenRequest> TokenRequestsSince(int line) =>
        File.ReadAllLines(_environment.TokenServiceLog).Skip(line)
            .Select(text => JsonSerializer.Deserialize<TokenRequest>(text, new JsonSerializerOptions(JsonSerializerDefaults.Web))!)
            .ToList();

    private int TokenLogLength => File.Exists(_environment.TokenServiceLog) ? File.ReadAllLines(_environment.TokenServiceLog).Length : 0;

    /// <summary>Dev's settings, logging in as this process's SSH user: the Dev side's sessions may be cut by its own tests.</summary>
    private Dictionary<string, string?> DevSettings()
    {
        var settings = _dev.Environment();
        settings["EC2_USER"] = _promote.SshUser;
        return settings;
    }

    private static bool IsOurs(TokenRequest request) => request.UserAgent == "book-shop-pipeline";

    private string ReadScope => $"repository:{_dev.Repository}:pull";
    private string PushScope => $"repository:{_dev.Repository}:pull,push";

    /// <summary>Whether a request asked for push on the test's repository (docker writes "push,pull").</summary>
    private bool AsksToPush(TokenRequest request) =>
        request.Scopes.Any(scope => scope.StartsWith($"repository:{_dev.Repository}:", StringComparison.Ordinal) && scope.Split(':')[2].Split(',').Contains("push"));

    [Test]
    public async Task DevAndPromoteTakeTheBearerPathOfARealRegistryAndARerunFindsEverythingInPlace()
    {
        _app.StartBranch("dev");
        var sha = _app.Commit("src/book_shop/__init__.py", "\"\"\"book-shop: a small book catalogue (token registry).\"\"\"\n");
        var snapshotTag = $"0.1.0-SNAPSHOT-{sha[..7]}";

        var beforeDev = TokenLogLength;
        var dev = HostProcess.Run(_app.Root, DevSettings(), "--target=Dev");

        Assert.That(dev.ExitCode, Is.Zero, dev.AllOutput);
        var digest = await _dev.RegistryDigest(snapshotTag);
        Assert.That(digest, Does.StartWith("sha256:"));
        Assert.That(_app.Read("artifacts/snapshot.json"), Does.Contain(digest!), "the digest read back through the token flow is the registry's");
        Assert.That(await _dev.Version(), Is.EqualTo($"{{\"version\": \"0.1.0\", \"commit\": \"{sha}\"}}"));
        var devRequests = TokenRequestsSince(beforeDev);
        Assert.That(devRequests.Where(request => !IsOurs(request) && AsksToPush(request) && request.User == "AWS"), Is.Not.Empty,
            "docker push got its token with the credentials from GetAuthorizationToken");
        Assert.That(devRequests.Where(IsOurs).SelectMany(request => request.Scopes), Is.Not.Empty.And.All.EqualTo(ReadScope).Or.EqualTo(PushScope),
            "the pipeline's own requests ask for the one repository");
        Assert.That(devRequests.Where(IsOurs).Count(request => request.Scopes.Contains(PushScope)), Is.EqualTo(1),
            "the pipeline asks for push once: for the signature's upload (reads ask for pull)");

        _app.Checkout(_main);
        _app.MergeWithCommit("dev");
        var beforePromote = TokenLogLength;
        var promote = HostProcess.Run(_app.Root, _promote.Environment(), "--target=Promote", "--snapshot-file=artifacts/snapshot.json");

        Assert.That(promote.ExitCode, Is.Zero, promote.AllOutput);
        Assert.That(await _dev.RegistryDigest("v0.1.0"), Is.EqualTo(digest), "the release tag names the tested bytes");
        Assert.That(await PromoteRun.Get(_promote.Production("/version")), Is.EqualTo($"{{\"version\": \"0.1.0\", \"commit\": \"{sha}\"}}"));
        var ours = TokenRequestsSince(beforePromote).Where(IsOurs).ToList();
        Assert.That(ours.SelectMany(request => request.Scopes), Is.All.EqualTo(ReadScope).Or.EqualTo(PushScope), "one repository, never more");
        Assert.That(ours.Count(request => request.Scopes.Contains(PushScope)), Is.EqualTo(1), "push is asked for once: for the one manifest PUT");
        Assert.That(ours.Where(request => request.Scopes.Contains(PushScope)).Select(request => request.User), Is.All.EqualTo("AWS"));
        foreach (var request in ours)
        {
            Assert.That(request.Granted.GetArrayLength(), Is.EqualTo(1));
            Assert.That(string.Join(',', request.Granted[0].GetProperty("actions").EnumerateArray().Select(action => action.GetString())),
                Is.EqualTo(request.Scopes.Single().Split(':')[2]), "the token holds exactly what was asked for");
        }

        // Status with no AWS credentials at all: the release tag is read with an anonymous pull token,
        // as a public ECR Public repository allows. (Dev's deploy above wrote no ledger: no token.)
        var beforeStatus = TokenLogLength;
        var status = HostProcess.Run(_app.Root, _promote.Environment(("AWS_ACCESS_KEY_ID", null), ("AWS_SECRET_ACCESS_KEY", null)), "--target=Status", "--format=json");
        var production = JsonDocument.Parse(File.ReadAllText(Path.Combine(_app.Root, "artifacts", "status.json"))).RootElement.EnumerateArray()
            .Single(row => row.GetProperty("environment").GetString() == "production");
        Assert.That(production.GetProperty("digest").GetString(), Is.EqualTo(digest), status.AllOutput);
        Assert.That(production.GetProperty("drifts").GetArrayLength(), Is.Zero, status.AllOutput);
        var statusRequests = TokenRequestsSince(beforeStatus).Where(IsOurs).ToList();
        Assert.That(statusRequests, Is.Not.Empty.And.All.Matches<TokenRequest>(request => request!.User == "anonymous" && request.Scopes.SequenceEqual(new[] { ReadScope })),
            "Status read the release tag anonymously, and asked for pull only");

        var revision = _promote.Revision;
        var again = HostProcess.Run(_app.Root, _promote.Environment(), "--target=Promote", "--snapshot-file=artifacts/snapshot.json");

        Assert.That(again.ExitCode, Is.Zero, again.AllOutput);
        Assert.That(again.StandardOutput, Does.Contain($"already names {digest}"));
        Assert.That(_promote.Revision, Is.EqualTo(revision), "nothing new was rolled out");

        _app.Checkout("dev");
        var devAgain = HostProcess.Run(_app.Root, DevSettings(), "--target=Dev");
        Assert.That(devAgain.ExitCode, Is.Zero, devAgain.AllOutput);
        Assert.That(devAgain.StandardOutput, Does.Contain($"is already in the registry as {digest}"));
    }

    [Test]
    public async Task ATokenThatExpiredIsRenewedOnceAndTheRunGoesOn()
    {
        // The pipeline's next token is born expired, so that the registry refuses it as it would
        // a token that outlived its lifetime during a long run (without the test depending on timing).
        await SetTokenLifetime(-120, count: 1);
        _app.StartBranch("dev");
        var sha = _app.Commit("src/book_shop/__init__.py", "\"\"\"book-shop: a small book catalogue (short tokens).\"\"\"\n");
        var before = TokenLogLength;

        var result = HostProcess.Run(_app.Root, DevSettings(), "--target=Push");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(_app.Read("artifacts/snapshot.json"), Does.Contain((await _dev.RegistryDigest($"0.1.0-SNAPSHOT-{sha[..7]}"))!));
        var ours = TokenRequestsSince(before).Where(IsOurs).ToList();
        Assert.That(ours.Select(request => request.Scopes.Single()), Is.EqualTo(new[] { ReadScope, ReadScope, PushScope }),
            "the expired token was replaced by one fresh one, which served the reads; the signature's upload asked for push once");
    }

    [Test]
    public async Task ATokenRefusedTwiceFailsWithOneLineNamingTheRegistry()
    {
        _app.StartBranch("dev");
        var sha = _app.Commit("src/book_shop/__init__.py", "\"\"\"book-shop: a small book catalogue (refused tokens).\"\"\"\n");
        _app.Checkout(_main);
        _app.MergeWithCommit("dev");
        // Every token is born expired: the registry's front answers each with 400 DENIED.
        await SetTokenLifetime(-120);
        var before = TokenLogLength;

        var result = HostProcess.Run(_app.Root, _promote.Environment(), "--target=Promote", $"--snapshot-tag=0.1.0-SNAPSHOT-{sha[..7]}");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.LastErrorLine, Is.EqualTo(
            $"Error: ResolveSnapshot: The registry answered GET {_dev.Repository}:0.1.0-SNAPSHOT-{sha[..7]} with 400 Bad Request: " +
            $"DENIED Your authorization token has expired. Reauthenticate and try again. ({_environment.TokenRegistry}): " +
            "a fresh token was refused too: check the registry type and its credentials, and this machine's clock, then re-run."));
        Assert.That(TokenRequestsSince(before).Count(IsOurs), Is.EqualTo(2), "one fresh token, not a loop");
        var github = await _promote.GitHub();
        Assert.That(github.TryGetProperty("releases", out var releases) ? releases.GetArrayLength() : 0, Is.Zero, "nothing was created on GitHub");
    }
}
