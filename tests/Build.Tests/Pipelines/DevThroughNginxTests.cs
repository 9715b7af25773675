using System.Net;
using System.Text;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Pipelines;

/// <summary>
/// DeployDev as users of the dev site see it: through the real nginx running the host's own
/// infra/nginx-dev.conf on 8080 (tests/env/start.sh), with the container on 4000 and the backup
/// port 4001 that the file names. GETs and POSTs arrive all through each deploy; none may fail.
/// </summary>
[NonParallelizable]
[Category(TestTiers.EndToEnd)]
public sealed class DevThroughNginxTests : DevFixture
{
    private Uri Site(string path) => new(new Uri(Environment.DevNginxUrl), path);

    [SetUp]
    public void UseTheSitesPorts()
    {
        Run.Port = 4000;
        Run.BackupPort = 4001;
        // A container of an earlier run on these ports would answer for this one.
        foreach (var id in DockerEngine.Run("ps", "--all", "--quiet", "--filter", "publish=4000").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                     .Concat(DockerEngine.Run("ps", "--all", "--quiet", "--filter", "publish=4001").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)))
        {
            DockerEngine.Run("rm", "--force", id);
        }
    }

    [TearDown]
    public void RemoveTheBackupContainer() => DockerEngine.Run("rm", "--force", $"{Run.Container}-next");

    /// <summary>The site as the repository has it, for the tests after one that changed it.</summary>
    [TearDown]
    public void PutTheRepositorysSiteBack()
    {
        if (File.ReadAllText(Environment.DevNginxSite) == RepositorySite) return;
        File.WriteAllText(Environment.DevNginxSite, RepositorySite);
        Assert.That(Command.Run("nginx", ["-s", "reload", "-c", Environment.DevNginxConf]).ExitCode, Is.Zero);
    }

    private static string RepositorySite => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "nginx-dev.conf"));

    private static string VersionAnswer(string sha) => $"{{\"version\": \"0.1.0\", \"commit\": \"{sha}\"}}";

    /// <summary>
    /// A third environment, declared as a user would: environments.toml and its nginx site in the
    /// repository, its key and host key as STAGING_* secrets. It runs on the same host as dev, on
    /// ports of its own, behind a site of its own in the same nginx.
    /// </summary>
    [Test]
    public async Task AStagingEnvironmentDeclaredInTheRepositoryServesTheSnapshotThroughItsOwnSiteAndDevIsUntouched()
    {
        var dev = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");
        Assert.That(dev.ExitCode, Is.Zero, dev.AllOutput);
        var devSha = App.Sha;
        var devContainer = DockerEngine.Succeed("inspect", "--format", "{{.Id}}", Run.Container);

        var (listen, hostPort, backupPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        var container = $"staging-{Guid.NewGuid():N}"[..20];
        var site = Path.Combine(Path.GetDirectoryName(Environment.DevNginxSite)!, $"book-shop-staging-{listen}.conf");
        try
        {
            App.Commit("infra/nginx-staging.conf", RepositorySite
                .Replace("book_shop_dev", "book_shop_staging")
                .Replace("127.0.0.1:4000", $"127.0.0.1:{hostPort}").Replace("127.0.0.1:4001", $"127.0.0.1:{backupPort}")
                .Replace("listen 8080 default_server;", $"listen 127.0.0.1:{listen};").Replace("listen [::]:8080 default_server;\n", ""));
            App.Commit("environments.toml", $$"""
                # Environments beyond dev and production (README: Environments).
                [staging]
                kind = "docker-host"
                host = "127.0.0.1"
                port = {{Environment.SshPort}}
                user = "{{Environment.SshUser}}"
                container = "{{container}}"
                host-port = {{hostPort}}
                backup-port = {{backupPort}}
                site = "{{site}}"
                nginx-conf = "{{Environment.DevNginxConf}}"
                url = "http://127.0.0.1:{{listen}}/"
                """);
            var stagingSha = App.Commit("src/book_shop/__init__.py", "\"\"\"book-shop: a small book catalogue (on staging).\"\"\"\n");
            var settings = Run.Environment();
            settings["STAGING_SSH_KEY"] = File.ReadAllText(Environment.SshKeyFile);
            settings["STAGING_HOST_KEY"] = Environment.SshHostKeyLine;

            var staged = HostProcess.Run(App.Root, settings, "--target=Dev", "--environment=staging");

            Assert.That(staged.ExitCode, Is.Zero, staged.AllOutput);
            Assert.That(await PromoteRun.Get(new Uri($"http://127.0.0.1:{listen}/version")), Is.EqualTo(VersionAnswer(stagingSha)), "staging serves the new snapshot through its site");
            Assert.That(await PromoteRun.Get(Site("/version")), Is.EqualTo(VersionAnswer(devSha)), "dev still serves its own");
            Assert.That(DockerEngine.Succeed("inspect", "--format", "{{.Id}}", Run.Container), Is.EqualTo(devContainer), "dev's container was not touched");
            var digest = await Run.RegistryDigest($"0.1.0-SNAPSHOT-{stagingSha[..7]}");
            Assert.That(staged.AllOutput, Does.Contain($"staging: {container} runs {Environment.Registry}/{Run.Repository}@{digest} and answers 0.1.0 ({stagingSha[..7]})"));
            Secrets.AssertNoneIn(Run, App, [settings["STAGING_SSH_KEY"]!], staged);
        }
        finally
        {
            DockerEngine.Run("rm", "--force", container, $"{container}-next");
            if (File.Exists(site))
            {
                File.Delete(site);
                Command.Run("nginx", ["-s", "reload", "-c", Environment.DevNginxConf]);
            }
        }
    }

    /// <summary>Dev's deploys recorded in the ledger (the GitHub double), and Rollback on dev: the snapshot before, again, through nginx.</summary>
    [Test]
    public async Task RollbackOnDevServesTheSnapshotBeforeAgainThroughNginxWithNoFailedRequest()
    {
        var settings = Run.Environment();
        settings["GITHUB_TOKEN"] = Environment.GitHubToken;
        settings["GITHUB_API_URL"] = Environment.GitHubApiUrl;
        settings["GITHUB_REPOSITORY"] = $"tests/{Run.Repository}";
        var first = HostProcess.Run(App.Root, settings, "--target=Dev");
        Assert.That(first.ExitCode, Is.Zero, first.AllOutput);
        var (firstSha, firstTag) = (App.Sha, $"0.1.0-SNAPSHOT-{App.ShortSha}");
        App.Commit("src/book_shop/__init__.py", "\"\"\"book-shop: a small book catalogue (the next snapshot).\"\"\"\n");
        var second = HostProcess.Run(App.Root, settings, "--target=Dev");
        Assert.That(second.ExitCode, Is.Zero, second.AllOutput);
        var secondTag = $"0.1.0-SNAPSHOT-{App.ShortSha}";

        HostResult rolledBack;
        (IReadOnlyList<string> Sequence, int Failures, int Total) gets;
        await using (var poller = new NodePortPoller(Site("/version")))
        {
            rolledBack = HostProcess.Run(App.Root, settings, "--target=Rollback", "--environment=dev");
            gets = await poller.Stop();
        }

        Assert.That(rolledBack.ExitCode, Is.Zero, rolledBack.AllOutput);
        Assert.That(gets.Failures, Is.Zero, string.Join("\n", gets.Sequence));
        Assert.That(await PromoteRun.Get(Site("/version")), Is.EqualTo(VersionAnswer(firstSha)));
        Assert.That(rolledBack.StandardOutput, Does.Contain($"Rolling dev back from {secondTag} ({await Run.RegistryDigest(secondTag)}) to {firstTag} ({await Run.RegistryDigest(firstTag)}): the last release verified in dev before {secondTag}."));
        Assert.That(DockerEngine.Succeed("inspect", "--format", "{{.Config.Image}}", Run.Container), Is.EqualTo(Run.Reference(firstTag)));
        using var http = new HttpClient();
        var state = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"{Environment.GitHubStateUrl}tests/{Run.Repository}")).RootElement;
        var ledger = state.GetProperty("deployments").EnumerateArray().ToList();
        Assert.That(ledger.Select(d => d.GetProperty("payload").GetProperty("snapshotTag").GetString()), Is.EqualTo(new[] { firstTag, secondTag, firstTag }));
        Assert.That(ledger.Select(d => d.GetProperty("environment").GetString()), Is.All.EqualTo("dev"));
        Assert.That(ledger[0].GetProperty("payload").GetProperty("runUrl").GetString(), Is.EqualTo($"https://github.com/tests/{Run.Repository}/actions/runs/4242"));
        Assert.That(state.GetProperty("violations").GetArrayLength(), Is.Zero, state.GetProperty("violations").ToString());
        Secrets.AssertNoneIn(Run, App, [Environment.GitHubToken], first, second, rolledBack);
    }

    [Test]
    public async Task ADeployAnswersEveryRequestWithTheOldVersionThenTheNew()
    {
        var first = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");
        Assert.That(first.ExitCode, Is.Zero, first.AllOutput);
        var oldSha = App.Sha;
        Assert.That(await PromoteRun.Get(Site("/version")), Is.EqualTo(VersionAnswer(oldSha)));
        App.Commit("src/book_shop/__init__.py", "\"\"\"book-shop: a small book catalogue (through nginx).\"\"\"\n");

        (IReadOnlyList<string> Sequence, int Failures, int Total) gets;
        (int Failures, int Total, IReadOnlyList<string> Errors) posts;
        await using (var poller = new NodePortPoller(Site("/version")))
        await using (var writer = new BookWriter(Site("/books")))
        {
            var deploy = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");
            Assert.That(deploy.ExitCode, Is.Zero, deploy.AllOutput);
            await Task.Delay(300);
            gets = await poller.Stop();
            posts = await writer.Stop();
        }

        Assert.That(gets.Failures, Is.Zero, string.Join("\n", gets.Sequence));
        Assert.That(gets.Sequence, Is.EqualTo(new[] { VersionAnswer(oldSha), VersionAnswer(App.Sha) }), "the old version until the switch, the new one after");
        Assert.That(gets.Total, Is.GreaterThan(20));
        Assert.That(posts.Failures, Is.Zero, string.Join("\n", posts.Errors));
        Assert.That(posts.Total, Is.GreaterThan(5), "POSTs kept arriving through the deploy");
        // The seed's state after a deploy: one container, dev-app's name, on 127.0.0.1:4000 -> 8000.
        Assert.That(DockerEngine.Succeed("port", Run.Container).Trim(), Is.EqualTo("8000/tcp -> 127.0.0.1:4000"));
        Assert.That(DockerEngine.Run("inspect", $"{Run.Container}-next").ExitCode, Is.Not.Zero, "the backup container is gone");
        Assert.That(DockerEngine.Succeed("ps", "--quiet", "--filter", "publish=4001").Trim(), Is.Empty);
    }

    [Test]
    public async Task AFailedDeployNeverTakesTrafficAndTheOldVersionAnswersThroughout()
    {
        var first = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");
        Assert.That(first.ExitCode, Is.Zero, first.AllOutput);
        var oldSha = App.Sha;
        App.Commit("src/book_shop/server.py", App.Read("src/book_shop/server.py").Replace("if self.store.is_healthy():", "if False:"));

        (IReadOnlyList<string> Sequence, int Failures, int Total) gets;
        (int Failures, int Total, IReadOnlyList<string> Errors) posts;
        HostResult deploy;
        await using (var poller = new NodePortPoller(Site("/version")))
        await using (var writer = new BookWriter(Site("/books")))
        {
            var settings = Run.Environment();
            settings["HEALTH_TIMEOUT"] = "5s";
            deploy = HostProcess.Run(App.Root, settings, "--target=Dev");
            gets = await poller.Stop();
            posts = await writer.Stop();
        }

        Assert.That(deploy.ExitCode, Is.Not.Zero);
        Assert.That(deploy.AllOutput, Does.Contain($"the new build never took traffic; {Run.Container} still runs {Run.Reference($"0.1.0-SNAPSHOT-{oldSha[..7]}")}"));
        Assert.That(gets.Failures, Is.Zero, string.Join("\n", gets.Sequence));
        Assert.That(gets.Sequence, Is.EqualTo(new[] { VersionAnswer(oldSha) }));
        Assert.That(posts.Failures, Is.Zero, string.Join("\n", posts.Errors));
        Assert.That(DockerEngine.Run("inspect", $"{Run.Container}-next").ExitCode, Is.Not.Zero, "the backup container is gone");
    }

    // Terraform writes the host's first boot only: a site edited later reaches the host through
    // DeployDev, which installs it, has nginx check it, reloads, and says so.
    [Test]
    public async Task AnEditedSiteReachesTheHostAndNginxServesIt()
    {
        var edited = App.Read("infra/nginx-dev.conf").Replace("        proxy_pass http://book_shop_dev;", "        proxy_pass http://book_shop_dev;\n        add_header X-Dev-Site edited always;");
        Assert.That(edited, Does.Contain("X-Dev-Site"));
        App.Commit("infra/nginx-dev.conf", edited);

        var deploy = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");

        Assert.That(deploy.ExitCode, Is.Zero, deploy.AllOutput);
        Assert.That(deploy.StandardOutput, Does.Contain($"[127.0.0.1] the dev site {Environment.DevNginxSite} changed to the repository's infra/nginx-dev.conf (sha256 "));
        Assert.That(File.ReadAllText(Environment.DevNginxSite), Is.EqualTo(edited));
        using var http = new HttpClient();
        using var answer = await http.GetAsync(Site("/version"));
        Assert.That(await answer.Content.ReadAsStringAsync(), Is.EqualTo(VersionAnswer(App.Sha)));
        Assert.That(answer.Headers.GetValues("X-Dev-Site"), Is.EqualTo(new[] { "edited" }), "nginx serves the edited site");

        var again = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");
        Assert.That(again.ExitCode, Is.Zero, again.AllOutput);
        Assert.That(again.StandardOutput, Does.Contain($"[127.0.0.1] the dev site {Environment.DevNginxSite} is the repository's"));
        Assert.That(again.StandardOutput, Does.Not.Contain($"[127.0.0.1] the dev site {Environment.DevNginxSite} changed"));
    }

    [Test]
    public void ASiteNginxRefusesFailsTheRunBeforeTheContainerIsTouchedAndTheHostKeepsItsSite()
    {
        var before = File.ReadAllText(Environment.DevNginxSite);
        App.Commit("infra/nginx-dev.conf", App.Read("infra/nginx-dev.conf").Replace("proxy_next_upstream_tries 2;", "proxy_next_upstream_tries two;"));

        var deploy = HostProcess.Run(App.Root, Run.Environment(), "--target=Dev");

        Assert.That(deploy.ExitCode, Is.Not.Zero);
        Assert.That(deploy.AllOutput, Does.Contain("[127.0.0.1] nginx refused the repository's dev site:"));
        Assert.That(deploy.AllOutput, Does.Contain($"\"proxy_next_upstream_tries\" directive invalid number in {Environment.DevNginxSite}:29"));
        Assert.That(deploy.LastErrorLine, Is.EqualTo($"Error: DeployDev: `ssh {Environment.SshUser}@127.0.0.1:{Environment.SshPort} (keep the dev site {Environment.DevNginxSite} the repository's)` failed with exit code 1: the host keeps the site it had and the dev container was not touched: fix infra/nginx-dev.conf (nginx -t says why above) and re-run."));
        Assert.That(File.ReadAllText(Environment.DevNginxSite), Is.EqualTo(before));
        Assert.That(DockerEngine.Run("inspect", Run.Container).ExitCode, Is.Not.Zero, "no container was started");
        Assert.That(Command.Run("nginx", ["-t", "-q", "-c", Environment.DevNginxConf]).ExitCode, Is.Zero, "nginx's configuration is whole");
    }

    /// <summary>POSTs new books back to back; anything but 201 Created is a failure (a 409 would be a POST applied twice).</summary>
    private sealed class BookWriter : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _writing;
        private readonly List<string> _errors = [];
        private int _total;

        public BookWriter(Uri url)
        {
            _writing = Task.Run(async () =>
            {
                using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };
                for (var n = 0; !_stop.IsCancellationRequested; n++)
                {
                    var body = $"{{\"title\": \"Book {n}\", \"author\": \"Poller\", \"isbn\": \"978{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999)}\"}}";
                    try
                    {
                        using var response = await http.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));
                        if (response.StatusCode != HttpStatusCode.Created)
                        {
                            var said = await response.Content.ReadAsStringAsync();
                            lock (_errors) _errors.Add($"{(int)response.StatusCode}: {said}");
                        }
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                    {
                        lock (_errors) _errors.Add(exception.Message);
                    }
                    Interlocked.Increment(ref _total);
                }
            });
        }

        public async Task<(int Failures, int Total, IReadOnlyList<string> Errors)> Stop()
        {
            await _stop.CancelAsync();
            await _writing;
            lock (_errors) return (_errors.Count, _total, _errors.ToList());
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested) await Stop();
            _stop.Dispose();
        }
    }
}
