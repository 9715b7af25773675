namespace Pipeline.Settings;

/// <summary>
/// One setting: its argument (null for a secret, which comes only from the environment), its
/// environment variable, and its default as the README and --help state it. Which tasks use it
/// is not written here: each task declares what it reads with [Uses], and the rest follows.
/// </summary>
public sealed record Setting(string? Argument, string Variable, string Default)
{
    /// <summary>A credential: never an argument, masked in GitHub Actions, shown as [REDACTED].</summary>
    public bool IsSecret { get; init; }

    /// <summary>For a setting the pipeline's own reader does not know: a real run needs it.</summary>
    public bool IsRequired { get; init; }

    /// <summary>For a setting the pipeline's own reader does not know: throws FormatException with the end of a sentence.</summary>
    public Action<string>? Check { get; init; }

    /// <summary>How errors name it: "--registry / REGISTRY".</summary>
    public string Names => Argument is null ? Variable : $"--{Argument} / {Variable}";

    /// <summary>What a dry run shows for it when it is missing: &lt;VARIABLE&gt; (see <see cref="Placeholders"/>).</summary>
    public string Placeholder => Placeholders.For(Variable);

    public static Setting Secret(string variable, string @default) => new(null, variable, @default) { IsSecret = true };
}

/// <summary>
/// A dry run without a value goes on with a placeholder in angle brackets: "&lt;REGISTRY&gt;", or
/// "&lt;the digest the registry reports after the push&gt;". One spelling, one test.
/// </summary>
public static class Placeholders
{
    public static string For(string what) => $"<{what}>";

    public static bool IsPlaceholder(string value) => value.StartsWith('<') && value.EndsWith('>');
}

/// <summary>
/// Declares which settings a task, or a helper that tasks call, reads: names of <c>static
/// readonly Setting</c> fields (of <see cref="Settings"/> or of the declaring class). The up-front
/// check, "A real run also needs", masking, --help and the README's table all follow from these.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class UsesAttribute(params string[] settings) : Attribute
{
    public IReadOnlyList<string> Settings { get; } = settings;
}

/// <summary>The task calls this helper, which declares its own settings with [Uses].</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class UsesSettingsOfAttribute(Type helper) : Attribute
{
    public Type Helper { get; } = helper;
}

/// <summary>Every setting of the pipeline's contract, in the order the README lists them.</summary>
public static class Settings
{
    public static readonly Setting Registry = new("registry", "REGISTRY", "required, e.g. `public.ecr.aws/abc1d2e3` or `127.0.0.1:5000`");
    public static readonly Setting Repository = new("repository", "IMAGE_REPOSITORY", "`book-shop`");
    public static readonly Setting RegistryType = new("registry-type", "REGISTRY_TYPE", "`ecr-public` for public.ecr.aws, else `basic` when REGISTRY_USERNAME is set, else `none`");
    public static readonly Setting AwsAccessKeyId = new(null, "AWS_ACCESS_KEY_ID", "the AWS SDK credential chain");
    public static readonly Setting AwsSecretAccessKey = Setting.Secret("AWS_SECRET_ACCESS_KEY", "the AWS SDK credential chain (secret)");
    public static readonly Setting AwsSessionToken = Setting.Secret("AWS_SESSION_TOKEN", "the AWS SDK credential chain (secret)");
    public static readonly Setting AwsProfile = new(null, "AWS_PROFILE", "the AWS SDK credential chain");
    public static readonly Setting EcrPublicEndpoint = new(null, "AWS_ENDPOINT_URL_ECR_PUBLIC", "the real endpoint (us-east-1)");
    public static readonly Setting AwsEndpoint = new(null, "AWS_ENDPOINT_URL", "the real endpoint; AWS_ENDPOINT_URL_ECR_PUBLIC wins");
    public static readonly Setting RegistryUsername = new("registry-username", "REGISTRY_USERNAME", "none");
    public static readonly Setting RegistryPassword = Setting.Secret("REGISTRY_PASSWORD", "none (secret)");
    public static readonly Setting BaseImage = new("base-image", "BASE_IMAGE", "the Dockerfile's own");

    public static readonly Setting Environment = new("environment", "DEPLOY_ENVIRONMENT", "`dev` for Dev, `production` for Promote; or an environment of environments.toml");

    public static readonly Setting Ec2Host = new("ec2-host", "EC2_HOST", "required");
    public static readonly Setting Ec2Port = new("ec2-port", "EC2_PORT", "`22`");
    public static readonly Setting Ec2User = new("ec2-user", "EC2_USER", "`ubuntu`");
    public static readonly Setting Ec2SshKey = Setting.Secret("EC2_SSH_KEY", "required (secret): the private key text, or EC2_SSH_KEY_FILE");
    public static readonly Setting Ec2SshKeyFile = new(null, "EC2_SSH_KEY_FILE", "none: the path of the private key");
    public static readonly Setting Ec2HostKey = new("ec2-host-key", "EC2_HOST_KEY", "required: a known_hosts line or a `SHA256:` fingerprint");
    public static readonly Setting InsecureAcceptAnyHostKey = new("insecure-accept-any-host-key", "INSECURE_ACCEPT_ANY_HOST_KEY", "off; local experiments only, warns on every use");
    public static readonly Setting SshRetries = new("ssh-retries", "SSH_RETRIES", "`3` (0 to 10): retries of an SSH connection that could not be made");

    public static readonly Setting DevContainer = new("dev-container", "DEV_CONTAINER", "`dev-app`");
    public static readonly Setting DevHostPort = new("dev-host-port", "DEV_HOST_PORT", "`4000`");
    public static readonly Setting DevBackupPort = new("dev-backup-port", "DEV_BACKUP_PORT", "`4001`: nginx's backup port (infra/nginx-dev.conf), where the new version is checked and serves while dev-app is replaced");
    public static readonly Setting DevNginxSite = new("dev-nginx-site", "DEV_NGINX_SITE", "`/etc/nginx/conf.d/book-shop-dev.conf`: where DeployDev installs infra/nginx-dev.conf on the host when the host's differs");
    public static readonly Setting DevNginxConf = new("dev-nginx-conf", "DEV_NGINX_CONF", "`/etc/nginx/nginx.conf`: the host nginx's main configuration, which includes the site (`sudo nginx -t -c`, then `sudo nginx -s reload -c`)");
    public static readonly Setting AppPort = new("app-port", "APP_PORT", "`8000`");
    public static readonly Setting HealthPath = new("health-path", "HEALTH_PATH", "`/healthz`");
    public static readonly Setting HealthTimeout = new("health-timeout", "HEALTH_TIMEOUT", "`60s` (`90s`, `3m`, `1h`; 1s to 24h)");

    public static readonly Setting SigningKey = Setting.Secret("SIGNING_KEY", "required for Push and Dev unless signing is off (secret): the PEM text of the ECDSA P-256 private key, or SIGNING_KEY_FILE");
    public static readonly Setting SigningKeyFile = new(null, "SIGNING_KEY_FILE", "none: the path of the private key");
    public static readonly Setting Signing = new("signing", "SIGNING", "`on`; `off` pushes the snapshot unsigned, and every deploy then refuses it");
    public static readonly Setting SigningPublicKey = new("signing-public-key", "SIGNING_PUBLIC_KEY", "`cosign.pub`: the repository's file of PEM public keys that a signature may be made by (two during a rotation)");

    public static readonly Setting SnapshotTag = new("snapshot-tag", "SNAPSHOT_TAG", "none; this or the file is required (a dry run without either plans HEAD's snapshot)");
    public static readonly Setting SnapshotFile = new("snapshot-file", "SNAPSHOT_FILE", "none");

    public static readonly Setting GitHubToken = Setting.Secret("GITHUB_TOKEN", "required (secret)");
    public static readonly Setting GitHubRepository = new("github-repository", "GITHUB_REPOSITORY", "required, `owner/name`");
    public static readonly Setting GitHubApiUrl = new("github-api-url", "GITHUB_API_URL", "`https://api.github.com`");

    public static readonly Setting RetagMode = new("retag-mode", "RETAG_MODE", "`registry` (or `docker`)");

    public static readonly Setting Kubectl = new("kubectl", "KUBECTL", "`sudo microk8s kubectl`");
    public static readonly Setting K8sNamespace = new("k8s-namespace", "K8S_NAMESPACE", "`default`");
    public static readonly Setting K8sDeployment = new("k8s-deployment", "K8S_DEPLOYMENT", "`book-shop`");
    public static readonly Setting K8sContainer = new("k8s-container", "K8S_CONTAINER", "`book-shop`");
    public static readonly Setting ManifestsDir = new("manifests", "MANIFESTS_DIR", "`manifests`");
    public static readonly Setting RolloutTimeout = new("rollout-timeout", "ROLLOUT_TIMEOUT", "`180s`");
    public static readonly Setting ProductionCheckTimeout = new("production-check-timeout", "PRODUCTION_CHECK_TIMEOUT", "`60s`: how long the NodePort may take to answer steadily with the release after the rollout");

    public static readonly Setting RollbackTo = new("to", "ROLLBACK_TO", "the last release verified in the environment before the one it runs now; or `vX.Y.Z` (a snapshot tag for dev)");

    public static readonly Setting StatusFormat = new("format", "STATUS_FORMAT", "`table` (or `json`, for scripts)");

    public static readonly Setting HttpRetries = new("http-retries", "HTTP_RETRIES", "`4` (0 to 10): retries of a transient HTTP failure");
    public static readonly Setting HttpTimeout = new("http-timeout", "HTTP_TIMEOUT", "`30s`: how long one HTTP attempt may take, its body included");

    public static readonly Setting Ci = new(null, "CI", "unset; `true` makes a dirty working tree an error");
}
