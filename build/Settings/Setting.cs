using static Pipeline.Tasks.TaskNames;

namespace Pipeline.Settings;

/// <summary>One setting: its argument (null for secrets), its environment variable, the tasks that use it.</summary>
public sealed record Setting(string? Argument, string Variable, params string[] UsedBy)
{
    /// <summary>How errors name it: "--registry / REGISTRY".</summary>
    public string Names => Argument is null ? Variable : $"--{Argument} / {Variable}";

    public string Placeholder => $"<{Variable}>";
}

/// <summary>Every setting's names, in one place; the README's table lists the same.</summary>
public static class Settings
{
    private static readonly string[] RegistryUsers = [Login, Build, Push, DeployDev, ResolveSnapshot, Retag, Rollout];
    private static readonly string[] HostUsers = [DeployDev, Rollout];

    public static readonly Setting Registry = new("registry", "REGISTRY", RegistryUsers);
    public static readonly Setting Repository = new("repository", "IMAGE_REPOSITORY", RegistryUsers);
    public static readonly Setting RegistryType = new("registry-type", "REGISTRY_TYPE", Login, Retag);
    public static readonly Setting RegistryUsername = new("registry-username", "REGISTRY_USERNAME", Login, Retag);
    public static readonly Setting RegistryPassword = new(null, "REGISTRY_PASSWORD", Login, Retag);
    public static readonly Setting EcrPublicEndpoint = new(null, "AWS_ENDPOINT_URL_ECR_PUBLIC", Login);
    public static readonly Setting AwsEndpoint = new(null, "AWS_ENDPOINT_URL", Login);
    public static readonly Setting BaseImage = new("base-image", "BASE_IMAGE", Build);

    public static readonly Setting Ec2Host = new("ec2-host", "EC2_HOST", HostUsers);
    public static readonly Setting Ec2Port = new("ec2-port", "EC2_PORT", HostUsers);
    public static readonly Setting Ec2User = new("ec2-user", "EC2_USER", HostUsers);
    public static readonly Setting Ec2SshKey = new(null, "EC2_SSH_KEY", HostUsers);
    public static readonly Setting Ec2SshKeyFile = new(null, "EC2_SSH_KEY_FILE", HostUsers);
    public static readonly Setting Ec2HostKey = new("ec2-host-key", "EC2_HOST_KEY", HostUsers);
    public static readonly Setting InsecureAcceptAnyHostKey = new("insecure-accept-any-host-key", "INSECURE_ACCEPT_ANY_HOST_KEY", HostUsers);

    public static readonly Setting DevContainer = new("dev-container", "DEV_CONTAINER", DeployDev);
    public static readonly Setting DevHostPort = new("dev-host-port", "DEV_HOST_PORT", DeployDev);
    public static readonly Setting AppPort = new("app-port", "APP_PORT", DeployDev);
    public static readonly Setting HealthPath = new("health-path", "HEALTH_PATH", DeployDev);
    public static readonly Setting HealthTimeout = new("health-timeout", "HEALTH_TIMEOUT", DeployDev);

    public static readonly Setting SnapshotTag = new("snapshot-tag", "SNAPSHOT_TAG", ResolveSnapshot);
    public static readonly Setting SnapshotFile = new("snapshot-file", "SNAPSHOT_FILE", ResolveSnapshot);

    public static readonly Setting GitHubToken = new(null, "GITHUB_TOKEN", Release);
    public static readonly Setting GitHubRepository = new("github-repository", "GITHUB_REPOSITORY", Release);
    public static readonly Setting GitHubApiUrl = new("github-api-url", "GITHUB_API_URL", Release);

    public static readonly Setting RetagMode = new("retag-mode", "RETAG_MODE", Retag);

    public static readonly Setting Kubectl = new("kubectl", "KUBECTL", Rollout);
    public static readonly Setting K8sNamespace = new("k8s-namespace", "K8S_NAMESPACE", Rollout);
    public static readonly Setting K8sDeployment = new("k8s-deployment", "K8S_DEPLOYMENT", Rollout);
    public static readonly Setting K8sContainer = new("k8s-container", "K8S_CONTAINER", Rollout);
    public static readonly Setting ManifestsDir = new("manifests", "MANIFESTS_DIR", Rollout);
    public static readonly Setting RolloutTimeout = new("rollout-timeout", "ROLLOUT_TIMEOUT", Rollout);
    public static readonly Setting ProductionCheckTimeout = new("production-check-timeout", "PRODUCTION_CHECK_TIMEOUT", Rollout);

    public static readonly Setting HttpRetries = new("http-retries", "HTTP_RETRIES", Login, Build, Push, ResolveSnapshot, Release, Retag);
    public static readonly Setting HttpTimeout = new("http-timeout", "HTTP_TIMEOUT", Login, Build, Push, ResolveSnapshot, Release, Retag);
    public static readonly Setting SshRetries = new("ssh-retries", "SSH_RETRIES", DeployDev, Rollout);

    public static readonly Setting Ci = new(null, "CI", ReadVersion);

    /// <summary>The argument that every dry-run spelling arrives as (see Frosting/README.md).</summary>
    public const string DryRunArgument = "dryrun";
}
