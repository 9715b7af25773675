using Cake.Core;
using Pipeline.Environments;
using Pipeline.Remote;
using Pipeline.Settings;

namespace Pipeline.Tests.Settings;

public sealed class SettingsTests
{
    /// <summary>The settings of a run of the target (Dev unless the arguments name one): a deploy's environment is read only for a run that deploys.</summary>
    private static PipelineSettings Read(IDictionary<string, string>? arguments = null, IDictionary<string, string>? environment = null)
    {
        var given = new Dictionary<string, string>(arguments ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        given.TryAdd("target", "Dev");
        var lookup = given.ToLookup(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        var env = environment ?? new Dictionary<string, string>();
        return PipelineSettings.Read(new CakeArguments(lookup), name => env.TryGetValue(name, out var value) ? value : null, Catalog,
            EnvironmentCatalog.Load(Path.GetTempPath()));
    }

    private static RemoteTarget HostOf(PipelineSettings settings) => settings.DeployTo!.Connection!.Target;

    private static readonly SettingsCatalog Catalog = SettingsCatalog.OfAssemblies(typeof(BuildHost).Assembly);

    private static IReadOnlyList<SettingProblem> ProblemsFor(PipelineSettings settings, params string[] tasks) => settings.ProblemsFor(Catalog.For(tasks));

    [TestCase("ReadVersion", false)]
    [TestCase("Release", false)]
    [TestCase("Promote", true)]
    [TestCase("DeployDev", true)]
    [TestCase("Dev", true)]
    public void TheKeyFileIsReadOnlyWhenATaskOfTheTargetNeedsIt(string target, bool read)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
        try
        {
            var settings = Read(new Dictionary<string, string> { ["target"] = target }, new Dictionary<string, string> { ["EC2_SSH_KEY_FILE"] = file });

            Assert.That(settings.DeployTo?.Connection?.Target.PrivateKey is not null, Is.EqualTo(read));
            Assert.That(ProblemsFor(settings, [.. Catalog.Closure([target])]).Select(problem => problem.Setting.Variable), Does.Not.Contain("EC2_SSH_KEY"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void ReportsEveryMissingSettingOfTheChosenTasksWithBothNames()
    {
        var problems = ProblemsFor(Read(), "ReadVersion", "Login", "Build", "Push", "DeployDev").Select(problem => problem.ToString());

        Assert.That(problems, Is.EqualTo(new[]
        {
            "--registry / REGISTRY: missing: pass --registry=<value> or set REGISTRY",
            "AWS_ACCESS_KEY_ID: missing: no AWS credentials configured: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a role (GitHub OIDC) for ECR Public",
            "--ec2-host / EC2_HOST: missing: pass --ec2-host=<value> or set EC2_HOST",
            "EC2_SSH_KEY: missing: set EC2_SSH_KEY to the private key text, or EC2_SSH_KEY_FILE to its path",
            "--ec2-host-key / EC2_HOST_KEY: missing: pass --ec2-host-key=<value> or set EC2_HOST_KEY",
            "SIGNING_KEY: missing: set SIGNING_KEY (the private key's PEM text) or SIGNING_KEY_FILE, or turn signing off with --signing=off (every deploy then refuses the image)",
            "--signing-public-key / SIGNING_PUBLIC_KEY: missing: \"cosign.pub\" does not exist: commit the public key (README: Signing), or point --signing-public-key at it",
        }));
    }

    [Test]
    public void ReportsNothingForTasksThatDoNotNeedIt()
    {
        Assert.That(ProblemsFor(Read(), "ReadVersion"), Is.Empty);
    }

    [Test]
    public void TheArgumentWinsOverTheEnvironment()
    {
        var settings = Read(new Dictionary<string, string> { ["ec2-port"] = "2222" }, new Dictionary<string, string> { ["EC2_PORT"] = "22022" });

        Assert.That(HostOf(settings).Port, Is.EqualTo(2222));
    }

    [TestCase("ec2-port", "70000", "--ec2-port / EC2_PORT: \"70000\" is not a port (1-65535)")]
    [TestCase("health-timeout", "soon", "--health-timeout / HEALTH_TIMEOUT: \"soon\" is not a duration like 60s, 3m or 1h")]
    [TestCase("registry", "https://public.ecr.aws/x", "--registry / REGISTRY: \"https://public.ecr.aws/x\" is not a registry like public.ecr.aws/<alias> or host:port (lower-case path, no scheme)")]
    [TestCase("ec2-host", "host;rm -rf /", "--ec2-host / EC2_HOST: \"host;rm -rf /\" is not a host name or IP address")]
    [TestCase("snapshot-tag", "1.2.0-SNAPSHOT-ABCDEF1", "--snapshot-tag / SNAPSHOT_TAG: \"1.2.0-SNAPSHOT-ABCDEF1\" is not a snapshot tag X.Y.Z-SNAPSHOT-<7 lower-case hex>")]
    [TestCase("dev-container", "dev app\n", "--dev-container / DEV_CONTAINER: \"dev app\\u000a\" is not a container name (letters, digits, '_', '.', '-')")]
    public void ReportsAnInvalidValueWithItsNames(string argument, string value, string expected)
    {
        var problems = Read(new Dictionary<string, string> { [argument] = value }).Problems.Where(problem => !problem.IsMissing);

        Assert.That(problems.Select(problem => problem.ToString()), Does.Contain(expected));
    }

    [Test]
    public void RefusesASecretPassedAsAnArgumentWithoutEchoingIt()
    {
        var problems = Read(new Dictionary<string, string> { ["github-token"] = "ghp_s3cr3t" }).Problems;

        var problem = problems.Single(p => p.Setting.Variable == "GITHUB_TOKEN" && !p.IsMissing);
        Assert.That(problem.ToString(), Is.EqualTo("GITHUB_TOKEN: is a secret: set the environment variable GITHUB_TOKEN, never --github-token (arguments land in shell history and process lists)"));
        Assert.That(string.Join("\n", problems), Does.Not.Contain("ghp_s3cr3t"));
    }

    [Test]
    public void ASecretPrintsRedacted()
    {
        var settings = Read(environment: new Dictionary<string, string> { ["GITHUB_TOKEN"] = "ghp_s3cr3t" });

        Assert.That($"{settings.GitHubToken}", Is.EqualTo("[REDACTED]"));
        Assert.That(settings.GitHubToken!.Reveal(), Is.EqualTo("ghp_s3cr3t"));
    }

    [Test]
    public void DefaultsFollowTheContract()
    {
        var settings = Read(environment: new Dictionary<string, string> { ["REGISTRY"] = "public.ecr.aws/abc1d2e3" });

        Assert.Multiple(() =>
        {
            Assert.That(settings.Image.Reference("1.2.0").ToString(), Is.EqualTo("public.ecr.aws/abc1d2e3/book-shop:1.2.0"));
            Assert.That(settings.RegistryType, Is.EqualTo(RegistryType.EcrPublic));
            Assert.That(HostOf(settings).Port, Is.EqualTo(22));
            Assert.That(HostOf(settings).User, Is.EqualTo("ubuntu"));
            Assert.That(settings.DeployTo!.Name, Is.EqualTo("dev"));
            Assert.That(((DockerHost)settings.DeployTo).App, Is.EqualTo(new AppContainer("dev-app", 4000, 4001, 8000, "/healthz", TimeSpan.FromSeconds(60))));
            Assert.That(settings.RetagMode, Is.EqualTo(RetagMode.Registry));
            var production = Read(new Dictionary<string, string> { ["target"] = "Promote" }, new Dictionary<string, string> { ["REGISTRY"] = "public.ecr.aws/abc1d2e3" }).DeployTo!;
            Assert.That(production.Name, Is.EqualTo("production"));
            Assert.That(((Microk8s)production).Cluster, Is.EqualTo(new Cluster("sudo microk8s kubectl", "default", "book-shop", "book-shop", "manifests",
                TimeSpan.FromSeconds(180), TimeSpan.FromSeconds(60))));
            Assert.That(settings.GitHubApiUrl, Is.EqualTo(new Uri("https://api.github.com")));
        });
    }

    [Test]
    public void AKnownHostsLineAndTheFingerprintSshKeygenPrintsPinTheSameKey()
    {
        // A generated ed25519 key and what `ssh-keygen -lf` printed for it.
        const string line = "127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINvjvplaidptsQI4KxxVGQvwlzT5ER0qeo7kzYWjnEdh";
        const string printed = "SHA256:7SbEiTfM+epxoCMeWlI7ZQ26OhyQH9GTWg3nWWJnPOs";

        Assert.That(HostKeyPin.Parse(line).Fingerprint, Is.EqualTo(printed));
        Assert.That(HostKeyPin.Parse(printed).Fingerprint, Is.EqualTo(printed));
        Assert.Throws<FormatException>(() => HostKeyPin.Parse("SHA256:short"));
        Assert.Throws<FormatException>(() => HostKeyPin.Parse("127.0.0.1 ssh-ed25519"));
    }
}
