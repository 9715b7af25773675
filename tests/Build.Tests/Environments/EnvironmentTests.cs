using Pipeline.Settings;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Environments;

/// <summary>
/// Environments as a user declares them in environments.toml and picks them with --environment:
/// each kind's plan with nothing set, and every refusal up front with one line. Fast tier: dry
/// runs and refusals of the real host, no service.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class EnvironmentTests
{
    private static readonly SettingsCatalog Catalog = SettingsCatalog.OfAssemblies(typeof(BuildHost).Assembly);

    private const string Declared = """
        # Environments beyond dev and production (README: Environments).
        [staging]
        kind = "docker-host"
        container = "staging-app"
        host-port = 4100
        backup-port = 4101

        [cluster]
        kind = "kubernetes"
        namespace = "book-shop"
        """;

    /// <summary>Every variable the pipeline reads, and every one a declared environment reads, unset.</summary>
    private static Dictionary<string, string?> Empty()
    {
        var environment = Catalog.All.ToDictionary(setting => setting.Variable, string? (_) => null);
        foreach (var name in new[] { "STAGING_HOST", "STAGING_SSH_KEY", "STAGING_SSH_KEY_FILE", "STAGING_HOST_KEY", "CLUSTER_CONTEXT", "CLUSTER_URL", "CLUSTER_KUBECONFIG" })
        {
            environment[name] = null;
        }
        environment["HOME"] = Path.GetTempPath();
        return environment;
    }

    private static AppRepository WithEnvironments(string declared)
    {
        var app = new AppRepository();
        app.Commit("environments.toml", declared);
        return app;
    }

    [Test]
    public void ADockerHostEnvironmentsPlanWithNothingSetShowsItsPlaceholdersAndWhatARealRunNeeds()
    {
        using var app = WithEnvironments(Declared);
        app.Commit("infra/nginx-staging.conf", "server { listen 8081; location / { proxy_pass http://127.0.0.1:4100; } }\n");

        var result = HostProcess.Run(app.Root, Empty(), "--target=Dev", "--environment=staging", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain("[dry-run] would run: ssh -p 22 ubuntu@<STAGING_HOST> sh -s <<'BOOK_SHOP_SCRIPT'    # keep the staging site /etc/nginx/conf.d/book-shop-staging.conf the repository's"));
        Assert.That(result.StandardOutput, Does.Contain("[dry-run] would run: ssh -p 22 ubuntu@<STAGING_HOST> sh -s <<'BOOK_SHOP_SCRIPT'    # replace staging-app"));
        Assert.That(result.StandardOutput, Does.Contain("host_port='4100'").And.Contain("backup_port='4101'"));
        Assert.That(result.StandardOutput, Does.Contain("  --staging-host / STAGING_HOST: missing: pass --staging-host=<value> or set STAGING_HOST"));
        Assert.That(result.StandardOutput, Does.Contain("  STAGING_SSH_KEY: missing: set STAGING_SSH_KEY to the private key text, or STAGING_SSH_KEY_FILE to its path"));
        Assert.That(result.StandardOutput, Does.Not.Contain("EC2_HOST"), "dev's settings are not asked for a deploy to staging");
    }

    [Test]
    public void AKubernetesEnvironmentsPlanRunsKubectlHereWithItsContextAndNoSsh()
    {
        using var app = WithEnvironments(Declared);

        var result = HostProcess.Run(app.Root, Empty(), "--target=Promote", "--environment=cluster", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain("[dry-run] would run: sh -s <<'BOOK_SHOP_SCRIPT'    # roll out <REGISTRY>/book-shop:v0.1.0, at most 660s"));
        Assert.That(result.StandardOutput, Does.Contain("context='<CLUSTER_CONTEXT>'").And.Contain("k() { kubectl --context \"$context\" \"$@\"; }"));
        Assert.That(result.StandardOutput, Does.Contain("namespace='book-shop'"));
        Assert.That(result.StandardOutput, Does.Contain("version_url='<CLUSTER_URL>/version'"));
        Assert.That(result.StandardOutput, Does.Contain("[dry-run] would run: sh -s <<'BOOK_SHOP_SCRIPT'    # check that <CLUSTER_URL> serves v0.1.0 from"));
        Assert.That(result.StandardOutput, Does.Not.Contain("ssh -p"));
        Assert.That(result.StandardOutput, Does.Contain("  --cluster-context / CLUSTER_CONTEXT: missing"));
        Assert.That(result.StandardOutput, Does.Contain("  --cluster-url / CLUSTER_URL: missing"));
        Assert.That(result.StandardOutput, Does.Not.Contain("EC2_HOST"), "no SSH setting is asked");
    }

    [Test]
    public void AMicrok8sEnvironmentsPlanGoesOverSshToTheNode()
    {
        using var app = WithEnvironments("[eu]\nkind = \"microk8s\"\nnamespace = \"book-shop-eu\"\n");

        var result = HostProcess.Run(app.Root, Empty(), "--target=Promote", "--environment=eu", "--dry-run");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain("[dry-run] would run: ssh -p 22 ubuntu@<EU_HOST> sh -s <<'BOOK_SHOP_SCRIPT'    # roll out <REGISTRY>/book-shop:v0.1.0"));
        Assert.That(result.StandardOutput, Does.Contain("k() { sudo microk8s kubectl \"$@\"; }").And.Contain("namespace='book-shop-eu'"));
        Assert.That(result.StandardOutput, Does.Contain("# check that NodePort 30080 serves v0.1.0 from"));
    }

    [TestCase("--environment=stagign", "--environment / DEPLOY_ENVIRONMENT: \"stagign\" is no environment of this repository; did you mean staging? (dev, production, staging, cluster; others are declared in environments.toml)")]
    [TestCase("--environment=Staging", "--environment / DEPLOY_ENVIRONMENT: \"Staging\" is not an environment name (lower-case letters, digits and '-', starting with a letter; at most 32)")]
    [TestCase("--stagingg-host=203.0.113.9", "--stagingg-host: unknown; did you mean --staging-host?")]
    public void ABadEnvironmentIsRefusedUpFrontWithOneLine(string argument, string expected)
    {
        using var app = WithEnvironments(Declared);

        var result = HostProcess.Run(app.Root, Empty(), "--target=Dev", argument, "--dry-run");

        Assert.That(result.ExitCode, Is.Not.Zero, result.AllOutput);
        Assert.That(result.LastErrorLine, Is.EqualTo($"Error: {expected}"));
        Assert.That(result.AllOutput, Does.Not.Contain("   at "));
    }

    [Test]
    public void TwoEnvironmentsOnOneHostAndPortAreRefused()
    {
        using var app = WithEnvironments("[staging]\nkind = \"docker-host\"\nhost = \"203.0.113.7\"\nbackup-port = 4101\n");
        var environment = Empty();
        environment["EC2_HOST"] = "203.0.113.7";

        var result = HostProcess.Run(app.Root, environment, "--target=Dev", "--environment=staging", "--dry-run");

        Assert.That(result.ExitCode, Is.Not.Zero, result.AllOutput);
        Assert.That(result.LastErrorLine, Is.EqualTo("Error: --environment / DEPLOY_ENVIRONMENT: staging and dev would both run on 203.0.113.7 port 4000: give staging ports of its own (environments.toml, or its settings)"));
    }

    [TestCase("[staging]\nkind = \"docker-hosts\"\n", "environments.toml: [staging] needs kind = one of \"docker-host\", \"kubernetes\", \"microk8s\"")]
    [TestCase("[staging]\nkind = \"docker-host\"\nssh-key = \"-----BEGIN\"\n", "environments.toml: [staging] ssh-key: a secret never goes into the repository: set STAGING_SSH_KEY in the environment (a GitHub secret)")]
    [TestCase("[staging]\nkind = \"docker-host\"\ncontext = \"x\"\n", "environments.toml: [staging] context: not a key of a docker-host environment")]
    [TestCase("[production]\nkind = \"kubernetes\"\n", "environments.toml: [production] is built in")]
    [TestCase("[staging]\nkind = \"docker-host\"\n[staging]\nkind = \"microk8s\"\n", "environments.toml is not valid TOML at line 3")]
    public void ABadDeclarationIsRefusedWithOneLineNamingTheFile(string declared, string expected)
    {
        using var app = WithEnvironments(declared);

        var result = HostProcess.Run(app.Root, Empty(), "--target=Dev", "--dry-run");

        Assert.That(result.ExitCode, Is.Not.Zero, result.AllOutput);
        Assert.That(result.LastErrorLine, Does.StartWith($"Error: {expected}"));
        Assert.That(result.AllOutput, Does.Not.Contain("   at "));
    }
}
