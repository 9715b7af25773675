using Pipeline.Tests.Support;

namespace Pipeline.Tests.Settings;

/// <summary>
/// Bad input, as a user would give it, to the real host: each case exits non-zero with one error
/// line that names the input, before any action (a real run logs every action as "> ...", so
/// none may appear) and without a stack trace.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class BadInputTests
{
    private const string Key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

    public sealed record Case(string Name, string Target, string[] Args, Dictionary<string, string?> Environment, string? PyProject, string? SnapshotJson, string Expected)
    {
        public override string ToString() => Name;
    }

    private static Case Dev(string name, string expected, params string[] args) =>
        new(name, "Dev", args, [], null, null, expected);

    private static Case DevEnv(string name, string variable, string? value, string expected) =>
        new(name, "Dev", [], new() { [variable] = value }, null, null, expected);

    private static Case Promote(string name, string expected, params string[] args) =>
        new(name, "Promote", args, [], null, null, expected);

    private static Case PromoteEnv(string name, string variable, string? value, string expected) =>
        new(name, "Promote", [], new() { [variable] = value }, null, null, expected);

    private static Case PyProject(string name, string content, string expected) =>
        new(name, "Dev", [], [], content, null, expected);

    private static Case Record(string name, string json, string expected) =>
        new(name, "Promote", ["--snapshot-file=record.json"], new() { ["SNAPSHOT_TAG"] = null }, null, json, expected);

    private const string GoodRecord = "\"version\":\"0.1.0\",\"snapshotTag\":\"0.1.0-SNAPSHOT-{sha7}\",\"image\":\"127.0.0.1:5999/book-shop:0.1.0-SNAPSHOT-{sha7}\",\"commit\":\"{sha}\",\"createdAt\":\"2026-11-26T07:00:00Z\"";

    public static IEnumerable<TestCaseData> Cases() => new[]
    {
        // pyproject.toml
        PyProject("pyproject: syntax error", "[project\nversion = \"1.0.0\"\n", "pyproject.toml is not valid TOML at line 1"),
        PyProject("pyproject: no version", "[project]\nname = \"book-shop\"\n", "pyproject.toml has no version"),
        PyProject("pyproject: dynamic version", "[project]\ndynamic = [\"version\"]\n", "pyproject.toml: the version is dynamic"),
        PyProject("pyproject: two parts", "[project]\nversion = \"1.2\"\n", "pyproject.toml: version \"1.2\" is not MAJOR.MINOR.PATCH"),
        PyProject("pyproject: leading v", "[project]\nversion = \"v1.2.0\"\n", "pyproject.toml: version \"v1.2.0\" is not MAJOR.MINOR.PATCH"),
        PyProject("pyproject: pre-release", "[project]\nversion = \"1.2.0rc1\"\n", "pyproject.toml: version \"1.2.0rc1\" is not MAJOR.MINOR.PATCH"),
        PyProject("pyproject: leading zero", "[project]\nversion = \"01.2.0\"\n", "pyproject.toml: version \"01.2.0\" is not MAJOR.MINOR.PATCH"),
        PyProject("pyproject: number", "[project]\nversion = 1.2\n", "pyproject.toml: [project] version must be a string"),

        // The registry and repository
        Dev("registry: a URL", "--registry / REGISTRY: \"https://public.ecr.aws/x\" is not a registry", "--registry=https://public.ecr.aws/x"),
        Dev("registry: a space", "--registry / REGISTRY: \"reg istry\" is not a registry", "--registry=reg istry"),
        Dev("registry: upper-case path", "--registry / REGISTRY: \"public.ecr.aws/ABC\" is not a registry", "--registry=public.ecr.aws/ABC"),
        Dev("registry: shell", "--registry / REGISTRY: \"x$(id)\" is not a registry", "--registry=x$(id)"),
        Dev("repository: upper case", "--repository / IMAGE_REPOSITORY: \"Book-Shop\" is not a repository name", "--repository=Book-Shop"),
        Dev("repository: empty part", "--repository / IMAGE_REPOSITORY: \"a//b\" is not a repository name", "--repository=a//b"),
        Dev("repository: leading dash", "--repository / IMAGE_REPOSITORY: \"-x\" is not a repository name", "--repository=-x"),
        Dev("registry type", "--registry-type / REGISTRY_TYPE: \"ecr\" is not ecr-public, basic or none", "--registry-type=ecr"),
        DevEnv("basic without password", "REGISTRY_TYPE", "basic", "REGISTRY_USERNAME: missing: registry type basic needs"),
        Dev("base image", "--base-image / BASE_IMAGE: \"Python:3\" is not an image reference", "--base-image=Python:3"),

        // The EC2 host
        Dev("host: shell", "--ec2-host / EC2_HOST: \"host;rm -rf /\" is not a host name or IP address", "--ec2-host=host;rm -rf /"),
        Dev("host: space", "--ec2-host / EC2_HOST: \"a b\" is not a host name or IP address", "--ec2-host=a b"),
        Dev("host: substitution", "--ec2-host / EC2_HOST: \"$(id)\" is not a host name or IP address", "--ec2-host=$(id)"),
        Dev("port: zero", "--ec2-port / EC2_PORT: \"0\" is not a port (1-65535)", "--ec2-port=0"),
        Dev("port: too big", "--ec2-port / EC2_PORT: \"65536\" is not a port (1-65535)", "--ec2-port=65536"),
        Dev("port: letters", "--ec2-port / EC2_PORT: \"22a\" is not a port (1-65535)", "--ec2-port=22a"),
        Dev("port: negative", "--ec2-port / EC2_PORT: \"-1\" is not a port (1-65535)", "--ec2-port=-1"),
        Dev("user: upper case", "--ec2-user / EC2_USER: \"Root\" is not a user name", "--ec2-user=Root"),
        Dev("user: shell", "--ec2-user / EC2_USER: \"u$(id)\" is not a user name", "--ec2-user=u$(id)"),
        DevEnv("key: not a key", "EC2_SSH_KEY", "hunter2", "EC2_SSH_KEY: is not a PEM or OpenSSH private key"),
        new Case("key file: missing", "Dev", [], new() { ["EC2_SSH_KEY"] = null, ["EC2_SSH_KEY_FILE"] = "/nonexistent/key" }, null, null, "EC2_SSH_KEY_FILE: \"/nonexistent/key\" does not exist: point it at the private key file"),
        new Case("key file: a device", "Dev", [], new() { ["EC2_SSH_KEY"] = null, ["EC2_SSH_KEY_FILE"] = "/dev/null" }, null, null, "EC2_SSH_KEY_FILE: \"/dev/null\" is empty, or not a regular file (a FIFO or a device)"),

        // Signing: the private key is read only for Sign; the public keys for every verification.
        new Case("signing key: missing", "Dev", [], new() { ["SIGNING_KEY_FILE"] = null }, null, null, "SIGNING_KEY: missing: set SIGNING_KEY (the private key's PEM text) or SIGNING_KEY_FILE, or turn signing off with --signing=off"),
        new Case("signing key: not PEM", "Dev", [], new() { ["SIGNING_KEY_FILE"] = null, ["SIGNING_KEY"] = "not-a-key" }, null, null, "SIGNING_KEY: is not an unencrypted ECDSA P-256 private key in PEM (PKCS#8 or SEC1; see the README's Signing)"),
        new Case("signing key: an SSH key", "Dev", [], new() { ["SIGNING_KEY_FILE"] = null, ["SIGNING_KEY"] = Key }, null, null, "SIGNING_KEY: is not an unencrypted ECDSA P-256 private key in PEM"),
        new Case("signing key: the public half", "Dev", [], new() { ["SIGNING_KEY_FILE"] = TestKeys.PublicKeyFile }, null, null, "SIGNING_KEY: is a public key: set the private half here (its public half belongs in cosign.pub)"),
        new Case("signing key: not the committed key's", "Dev", [], new() { ["SIGNING_KEY_FILE"] = TestKeys.OtherKeyFile }, null, null, "which is not in cosign.pub ("),
        new Case("signing key file: missing", "Dev", [], new() { ["SIGNING_KEY_FILE"] = "/nonexistent/signing.key" }, null, null, "SIGNING_KEY_FILE: \"/nonexistent/signing.key\" does not exist: point it at the private key file"),
        Dev("signing key: an argument", "SIGNING_KEY: is a secret: set the environment variable SIGNING_KEY, never --signing-key", "--signing-key=x"),
        Dev("signing: neither on nor off", "--signing / SIGNING: \"maybe\" is not on or off", "--signing=maybe"),
        Dev("public key: missing", "--signing-public-key / SIGNING_PUBLIC_KEY: missing: \"keys/none.pub\" does not exist: commit the public key (README: Signing)", "--signing-public-key=keys/none.pub"),
        Promote("public key: missing for Promote", "--signing-public-key / SIGNING_PUBLIC_KEY: missing: \"keys/none.pub\" does not exist", "--signing-public-key=keys/none.pub"),
        Dev("public key: a private key", "--signing-public-key / SIGNING_PUBLIC_KEY: \"" + TestKeys.SigningKeyFile + "\" holds a \"PRIVATE KEY\" block: it must hold public keys only", "--signing-public-key=" + TestKeys.SigningKeyFile),
        Dev("host key: revoked", "is a @revoked known_hosts line, which pins no host key", "--ec2-host-key=@revoked 127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMbxVx3pQdQ1lBhbP4uN1vYpQ2B8p5i4y5lQnJ2aV2mD"),
        Dev("host key: cert authority", "is a @cert-authority known_hosts line", "--ec2-host-key=@cert-authority *.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMbxVx3pQdQ1lBhbP4uN1vYpQ2B8p5i4y5lQnJ2aV2mD"),
        Dev("host key: another type's key", "has base64 that is not an ssh-ed25519 public key", "--ec2-host-key=127.0.0.1 ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQC7"),
        Dev("host key: base64 of no key", "has base64 that is not an ssh-ed25519 public key", "--ec2-host-key=127.0.0.1 ssh-ed25519 aGVsbG8gd29ybGQ="),
        Dev("host key: short fingerprint", "--ec2-host-key / EC2_HOST_KEY: \"SHA256:short\" is not a SHA256: fingerprint", "--ec2-host-key=SHA256:short"),
        Dev("host key: bad base64", "--ec2-host-key / EC2_HOST_KEY: \"host ssh-ed25519 !!!\" has a key that is not base64", "--ec2-host-key=host ssh-ed25519 !!!"),
        Dev("host key: garbage", "--ec2-host-key / EC2_HOST_KEY: \"garbage\" is neither a known_hosts line", "--ec2-host-key=garbage"),
        Dev("secret as argument", "EC2_SSH_KEY: is a secret: set the environment variable EC2_SSH_KEY, never --ec2-ssh-key", "--ec2-ssh-key=abc"),
        Dev("secret as argument: underscore, another target's", "GITHUB_TOKEN: is a secret: set the environment variable GITHUB_TOKEN, never --github-token", "--github_token=abc"),
        PromoteEnv("token: a carriage return", "GITHUB_TOKEN", "token-for-bad-input\r", "GITHUB_TOKEN: contains a control character or white space (a line end pasted with it?): set it again without one (the value is not shown)"),
        PromoteEnv("token: CRLF", "GITHUB_TOKEN", "token-for-bad-input\r\n", "GITHUB_TOKEN: contains a control character"),
        PromoteEnv("token: a space", "GITHUB_TOKEN", "token-for bad-input", "GITHUB_TOKEN: contains a control character or white space"),
        DevEnv("registry password: a newline", "REGISTRY_PASSWORD", "token-for-bad-input\nx", "REGISTRY_PASSWORD: contains a control character"),
        DevEnv("aws key id: lower case", "AWS_ACCESS_KEY_ID", "akidlowercase1234", "AWS_ACCESS_KEY_ID: \"akidlowercase1234\" is not an AWS access key ID"),

        // The dev deploy
        Dev("health timeout: words", "--health-timeout / HEALTH_TIMEOUT: \"soon\" is not a duration like 60s, 3m or 1h", "--health-timeout=soon"),
        Dev("health timeout: zero", "--health-timeout / HEALTH_TIMEOUT: \"0s\" is not between 1s and 24h", "--health-timeout=0s"),
        Dev("health timeout: too long", "--health-timeout / HEALTH_TIMEOUT: \"25h\" is not between 1s and 24h", "--health-timeout=25h"),
        Dev("container: space", "--dev-container / DEV_CONTAINER: \"dev app\" is not a container name", "--dev-container=dev app"),
        Dev("container: shell", "--dev-container / DEV_CONTAINER: \"dev;x\" is not a container name", "--dev-container=dev;x"),
        Dev("container: newline", "--dev-container / DEV_CONTAINER: \"dev\\u000ax\" is not a container name", "--dev-container=dev\nx"),
        Dev("dev port", "--dev-host-port / DEV_HOST_PORT: \"99999\" is not a port (1-65535)", "--dev-host-port=99999"),
        Dev("health path: relative", "--health-path / HEALTH_PATH: \"healthz\" is not a URL path like /healthz", "--health-path=healthz"),
        Dev("health path: query", "--health-path / HEALTH_PATH: \"/h?x=1\" is not a URL path like /healthz", "--health-path=/h?x=1"),
        Dev("http retries", "--http-retries / HTTP_RETRIES: \"many\" is not a whole number from 0 to 10", "--http-retries=many"),

        // Promote's settings
        Promote("rollout timeout", "--rollout-timeout / ROLLOUT_TIMEOUT: \"-5s\" is not a duration like 60s, 3m or 1h", "--rollout-timeout=-5s"),
        Promote("namespace: upper case", "--k8s-namespace / K8S_NAMESPACE: \"Default\" is not a Kubernetes name", "--k8s-namespace=Default"),
        Promote("namespace: underscore", "--k8s-namespace / K8S_NAMESPACE: \"a_b\" is not a Kubernetes name", "--k8s-namespace=a_b"),
        Promote("deployment: dot", "--k8s-deployment / K8S_DEPLOYMENT: \"book.shop\" is not a Kubernetes name", "--k8s-deployment=book.shop"),
        Promote("kubectl: shell", "--kubectl / KUBECTL: \"kubectl; rm -rf /\" is not a command", "--kubectl=kubectl; rm -rf /"),
        Promote("retag mode", "--retag-mode / RETAG_MODE: \"copy\" is not registry or docker", "--retag-mode=copy"),
        Promote("github repository: no owner", "--github-repository / GITHUB_REPOSITORY: \"noslash\" is not owner/name", "--github-repository=noslash"),
        Promote("github repository: three parts", "--github-repository / GITHUB_REPOSITORY: \"a/b/c\" is not owner/name", "--github-repository=a/b/c"),
        Promote("github repository: dot dot", "--github-repository / GITHUB_REPOSITORY: \"o/..\" is not owner/name", "--github-repository=o/.."),
        Promote("github api: ftp", "--github-api-url / GITHUB_API_URL: \"ftp://x\" is not an http(s) URL", "--github-api-url=ftp://x"),
        Promote("github api: credentials", "--github-api-url / GITHUB_API_URL: \"https://user:pw@x\" is not an http(s) URL", "--github-api-url=https://user:pw@x"),

        // Snapshot tags
        Promote("tag: shell", "--snapshot-tag / SNAPSHOT_TAG: \"0.1.0-SNAPSHOT-abc1234;id\" is not a snapshot tag", "--snapshot-tag=0.1.0-SNAPSHOT-abc1234;id"),
        Promote("tag: substitution", "--snapshot-tag / SNAPSHOT_TAG: \"$(id)\" is not a snapshot tag", "--snapshot-tag=$(id)"),
        Promote("tag: newline", "--snapshot-tag / SNAPSHOT_TAG: \"0.1.0-SNAPSHOT-abc1234\\u000arm\" is not a snapshot tag", "--snapshot-tag=0.1.0-SNAPSHOT-abc1234\nrm"),
        Promote("tag: full-width digit", "--snapshot-tag / SNAPSHOT_TAG: \"０.1.0-SNAPSHOT-abc1234\" is not a snapshot tag", "--snapshot-tag=０.1.0-SNAPSHOT-abc1234"),
        Promote("tag: Arabic-Indic digit", "--snapshot-tag / SNAPSHOT_TAG: \"0.١.0-SNAPSHOT-abc1234\" is not a snapshot tag", "--snapshot-tag=0.١.0-SNAPSHOT-abc1234"),
        Promote("tag: Unicode hyphen", "--snapshot-tag / SNAPSHOT_TAG: \"0.1.0‐SNAPSHOT-abc1234\" is not a snapshot tag", "--snapshot-tag=0.1.0‐SNAPSHOT-abc1234"),
        Promote("tag: 129 characters", "--snapshot-tag / SNAPSHOT_TAG: \"0.1.0-SNAPSHOT-", "--snapshot-tag=0.1.0-SNAPSHOT-" + new string('a', 114)),
        Promote("tag: upper-case hex", "--snapshot-tag / SNAPSHOT_TAG: \"0.1.0-SNAPSHOT-ABC1234\" is not a snapshot tag", "--snapshot-tag=0.1.0-SNAPSHOT-ABC1234"),

        // snapshot.json
        Record("record: not JSON", "{\"version\":", "--snapshot-file / SNAPSHOT_FILE: "),
        Record("record: an array", "[1,2]", "not a JSON object"),
        Record("record: no digest", "{" + GoodRecord + "}", "the field \"digest\" is missing"),
        Record("record: digest a number", "{" + GoodRecord + ",\"digest\":42}", "the field \"digest\" must be a string, not number"),
        Record("record: sha512 digest", "{" + GoodRecord + ",\"digest\":\"sha512:" + new string('a', 128) + "\"}", "is not sha256:<64 lower-case hex>"),
        Record("record: short digest", "{" + GoodRecord + ",\"digest\":\"sha256:" + new string('a', 63) + "\"}", "is not sha256:<64 lower-case hex>"),
        Record("record: short commit", "{" + GoodRecord.Replace("\"commit\":\"{sha}\"", "\"commit\":\"{sha7}\"") + ",\"digest\":\"sha256:" + new string('a', 64) + "\"}", "is not a full 40-hex commit"),
        Record("record: tag and version differ", "{" + GoodRecord.Replace("\"version\":\"0.1.0\"", "\"version\":\"0.2.0\"") + ",\"digest\":\"sha256:" + new string('a', 64) + "\"}", "version \"0.2.0\" does not match the snapshot tag's 0.1.0"),
        Record("record: missing file", "", "the file does not exist"),
        Record("record: a field twice", "{" + GoodRecord + ",\"digest\":\"sha256:" + new string('a', 64) + "\",\"digest\":\"sha256:" + new string('b', 64) + "\"}", "the field \"digest\" appears more than once"),
    }.Select(c => new TestCaseData(c).SetArgDisplayNames(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void RefusesBeforeAnyActionWithOneLineNamingTheInput(Case input)
    {
        using var repository = new TempGitRepository();
        repository.Write("pyproject.toml", input.PyProject ?? "[project]\nname = \"book-shop\"\nversion = \"0.1.0\"\n");
        foreach (var manifest in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "manifests")))
        {
            repository.Write(Path.Combine("manifests", Path.GetFileName(manifest)), File.ReadAllText(manifest));
        }
        repository.Write(".gitignore", "record.json\n");
        repository.CopyPublicKey();
        var sha = repository.Commit();
        if (input.SnapshotJson is { Length: > 0 } json)
        {
            repository.Write("record.json", json.Replace("{sha7}", sha[..7]).Replace("{sha}", sha));
        }

        var environment = new Dictionary<string, string?>
        {
            ["REGISTRY"] = "127.0.0.1:5999",
            ["REGISTRY_TYPE"] = "none",
            ["EC2_HOST"] = "127.0.0.1",
            ["EC2_PORT"] = "1",
            ["EC2_SSH_KEY"] = Key,
            ["EC2_HOST_KEY"] = "SHA256:7SbEiTfM+epxoCMeWlI7ZQ26OhyQH9GTWg3nWWJnPOs",
            ["SIGNING_KEY_FILE"] = TestKeys.SigningKeyFile,
            ["GITHUB_TOKEN"] = "token-for-bad-input",
            ["GITHUB_REPOSITORY"] = "example/book-shop",
            ["GITHUB_API_URL"] = "http://127.0.0.1:5998/",
            ["SNAPSHOT_TAG"] = $"0.1.0-SNAPSHOT-{sha[..7]}",
            ["CI"] = "true",
        };
        foreach (var (name, value) in input.Environment) environment[name] = value;

        var result = HostProcess.Run(repository.Root, environment, ["--target=" + input.Target, .. input.Args]);

        Assert.That(result.ExitCode, Is.Not.Zero, result.AllOutput);
        var errors = result.StandardError.Split('\n').Where(line => line.StartsWith("Error:", StringComparison.Ordinal)).ToList();
        Assert.That(errors, Has.Count.EqualTo(1), result.StandardError);
        Assert.That(result.LastErrorLine, Does.StartWith("Error: "));
        Assert.That(result.LastErrorLine, Does.Contain(input.Expected));
        Assert.That(result.StandardOutput.Split('\n').Where(line => line.StartsWith("> ", StringComparison.Ordinal)), Is.Empty, "no action was performed");
        Assert.That(result.AllOutput, Does.Not.Contain("   at "));
        Assert.That(result.AllOutput, Does.Not.Contain("token-for-bad-input"));
    }

    /// <summary>A FIFO waits for a writer forever when read: as a key file or a record it is refused without opening it.</summary>
    [TestCase("EC2_SSH_KEY_FILE", "Dev", "EC2_SSH_KEY_FILE: \"{fifo}\" is empty, or not a regular file (a FIFO or a device): point it at the private key file")]
    [TestCase("SIGNING_KEY_FILE", "Dev", "SIGNING_KEY_FILE: \"{fifo}\" is empty, or not a regular file (a FIFO or a device): point it at the private key file")]
    [TestCase("SNAPSHOT_FILE", "Promote", "ResolveSnapshot: --snapshot-file / SNAPSHOT_FILE: {fifo}: the file is empty, or not a regular file (a FIFO or a device); use the snapshot.json that Dev wrote.")]
    public void AFifoGivenAsAFileIsRefusedAtOnce(string variable, string target, string expected)
    {
        using var repository = new TempGitRepository();
        repository.Write("pyproject.toml", "[project]\nversion = \"0.1.0\"\n");
        repository.CopyPublicKey();
        repository.Commit();
        var fifo = Path.Combine(Path.GetTempPath(), $"fifo-{Guid.NewGuid():N}");
        Assert.That(Command.Run("mkfifo", [fifo]).ExitCode, Is.Zero);
        try
        {
            var environment = new Dictionary<string, string?>
            {
                ["REGISTRY"] = "127.0.0.1:5999", ["REGISTRY_TYPE"] = "none", ["EC2_HOST"] = "127.0.0.1",
                ["EC2_HOST_KEY"] = "SHA256:7SbEiTfM+epxoCMeWlI7ZQ26OhyQH9GTWg3nWWJnPOs", ["EC2_SSH_KEY"] = variable == "EC2_SSH_KEY_FILE" ? null : Key,
                ["SIGNING_KEY_FILE"] = TestKeys.SigningKeyFile,
                ["GITHUB_TOKEN"] = "token-for-bad-input", ["GITHUB_REPOSITORY"] = "example/book-shop", ["SNAPSHOT_TAG"] = null,
                [variable] = fifo,
            };

            var result = HostProcess.Run(repository.Root, environment, "--target=" + target);

            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.LastErrorLine, Is.EqualTo("Error: " + expected.Replace("{fifo}", fifo)));
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Test]
    public void TheTableHasAtLeastFortyCases() => Assert.That(Cases().Count(), Is.GreaterThanOrEqualTo(40));
}
