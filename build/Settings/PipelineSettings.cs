using Cake.Core;
using Pipeline.Registry;
using Pipeline.Remote;
using Pipeline.Versioning;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Settings;

public enum RegistryType { EcrPublic, Basic, None }

public enum RetagMode { Registry, Docker }

/// <summary>
/// Every setting of the contract, read once into typed, immutable values. A missing required
/// value holds its placeholder (&lt;REGISTRY&gt;) so that a dry run can still show the plan;
/// <see cref="Problems"/> says what a real run would refuse.
/// </summary>
public sealed class PipelineSettings
{
    private PipelineSettings() { }

    public required ImageRepository Image { get; init; }
    public required RegistryType RegistryType { get; init; }
    public required string? RegistryUsername { get; init; }
    public required Secret? RegistryPassword { get; init; }
    public required Uri EcrPublicEndpoint { get; init; }
    public required string? BaseImage { get; init; }

    public required string Ec2Host { get; init; }
    public required int Ec2Port { get; init; }
    public required string Ec2User { get; init; }
    public required Secret? Ec2SshKey { get; init; }
    public required HostKeyPin? Ec2HostKey { get; init; }
    public required bool InsecureAcceptAnyHostKey { get; init; }

    public required string DevContainer { get; init; }
    public required int DevHostPort { get; init; }
    public required int AppPort { get; init; }
    public required string HealthPath { get; init; }
    public required TimeSpan HealthTimeout { get; init; }

    public required SnapshotTag? SnapshotTag { get; init; }
    public required string? SnapshotFile { get; init; }

    public required Secret? GitHubToken { get; init; }
    public required string GitHubRepository { get; init; }
    public required Uri GitHubApiUrl { get; init; }

    public required RetagMode RetagMode { get; init; }
    public required string Kubectl { get; init; }
    public required string K8sNamespace { get; init; }
    public required string K8sDeployment { get; init; }
    public required string K8sContainer { get; init; }
    public required string ManifestsDir { get; init; }
    public required TimeSpan RolloutTimeout { get; init; }

    /// <summary>How long production's NodePort may take to answer steadily with the release after the rollout.</summary>
    public required TimeSpan ProductionCheckTimeout { get; init; }

    /// <summary>How the HTTP clients retry transient failures, and how long one attempt may take.</summary>
    public required Http.RetryPolicy HttpPolicy { get; init; }

    /// <summary>How often an SSH connection that could not be made is tried again.</summary>
    public required int SshRetries { get; init; }

    /// <summary>CI=true: stricter about the working tree (the image must match its commit).</summary>
    public required bool IsCi { get; init; }

    public required IReadOnlyList<SettingProblem> Problems { get; init; }

    /// <summary>The problems that matter to the tasks about to run.</summary>
    public IReadOnlyList<SettingProblem> ProblemsFor(IEnumerable<string> taskNames)
    {
        var names = taskNames.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Problems.Where(problem => problem.Setting.UsedBy.Any(names.Contains)).ToList();
    }

    public static PipelineSettings Read(ICakeArguments arguments, Func<string, string?> environment)
    {
        var read = new SettingsReader(arguments, environment);

        var registry = read.Required(S.Registry, new RegistryAddress(S.Registry.Placeholder, null), RegistryAddress.Parse);
        var username = read.Raw(S.RegistryUsername);
        var registryType = read.Optional(S.RegistryType,
            // An unknown registry (a dry run without settings) plans the production path: ECR Public.
            registry.IsEcrPublic || registry.IsPlaceholder ? RegistryType.EcrPublic : username is not null ? RegistryType.Basic : RegistryType.None,
            ParseRegistryType);
        var password = read.Secret(S.RegistryPassword);
        if (registryType == RegistryType.Basic && (username is null || password is null))
        {
            read.Missing(username is null ? S.RegistryUsername : S.RegistryPassword, "registry type basic needs REGISTRY_USERNAME and REGISTRY_PASSWORD");
        }

        var sshKey = read.Secret(S.Ec2SshKey, S.Ec2SshKeyFile);
        if (sshKey is null && read.Raw(S.Ec2SshKeyFile) is null)
        {
            read.Missing(S.Ec2SshKey, "set EC2_SSH_KEY to the private key text, or EC2_SSH_KEY_FILE to its path");
        }
        else if (sshKey is not null && !sshKey.Reveal().Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            read.Invalid(S.Ec2SshKey, "is not a PEM or OpenSSH private key (-----BEGIN ... PRIVATE KEY-----)");
        }

        var insecure = read.Flag(S.InsecureAcceptAnyHostKey);
        var hostKey = insecure
            ? read.Optional<HostKeyPin?>(S.Ec2HostKey, null, HostKeyPin.Parse)
            : read.Required<HostKeyPin?>(S.Ec2HostKey, null, HostKeyPin.Parse);

        var snapshotTag = read.Optional(S.SnapshotTag, null, text => Versioning.SnapshotTag.TryParse(text, out var tag)
            ? tag
            : throw new FormatException("is not a snapshot tag X.Y.Z-SNAPSHOT-<7 lower-case hex>"));
        var snapshotFile = read.Optional(S.SnapshotFile, null, Parse.FilePath);
        if (snapshotTag is null && snapshotFile is null && read.Raw(S.SnapshotTag) is null)
        {
            read.Missing(S.SnapshotTag, "pass --snapshot-tag=X.Y.Z-SNAPSHOT-<sha7> or --snapshot-file=<the snapshot.json Dev wrote>");
        }

        var githubToken = read.Secret(S.GitHubToken);
        if (githubToken is null)
        {
            read.Missing(S.GitHubToken, "set GITHUB_TOKEN (in GitHub Actions: env: GITHUB_TOKEN: ${{ github.token }})");
        }

        return new PipelineSettings
        {
            Image = new ImageRepository(registry, read.Optional(S.Repository, "book-shop", ImageRepository.ParseName)),
            RegistryType = registryType,
            RegistryUsername = username,
            RegistryPassword = password,
            EcrPublicEndpoint = read.Optional(S.EcrPublicEndpoint, read.Optional(S.AwsEndpoint, EcrPublic.DefaultEndpoint, Parse.HttpUrl), Parse.HttpUrl),
            BaseImage = read.Optional(S.BaseImage, null, text => ImageGrammar.Reference().IsMatch(text)
                ? text
                : throw new FormatException("is not an image reference")),
            Ec2Host = read.Required(S.Ec2Host, S.Ec2Host.Placeholder, Parse.HostName),
            Ec2Port = read.Optional(S.Ec2Port, 22, Parse.Port),
            Ec2User = read.Optional(S.Ec2User, "ubuntu", Parse.UserName),
            Ec2SshKey = sshKey,
            Ec2HostKey = hostKey,
            InsecureAcceptAnyHostKey = insecure,
            DevContainer = read.Optional(S.DevContainer, "dev-app", Parse.ContainerName),
            DevHostPort = read.Optional(S.DevHostPort, 4000, Parse.Port),
            AppPort = read.Optional(S.AppPort, 8000, Parse.Port),
            HealthPath = read.Optional(S.HealthPath, "/healthz", Parse.UrlPath),
            HealthTimeout = read.Optional(S.HealthTimeout, TimeSpan.FromSeconds(60), Parse.Duration),
            SnapshotTag = snapshotTag,
            SnapshotFile = snapshotFile,
            GitHubToken = githubToken,
            GitHubRepository = read.Required(S.GitHubRepository, S.GitHubRepository.Placeholder, Parse.GitHubRepository),
            GitHubApiUrl = read.Optional(S.GitHubApiUrl, new Uri("https://api.github.com"), Parse.HttpUrl),
            RetagMode = read.Optional(S.RetagMode, RetagMode.Registry, ParseRetagMode),
            Kubectl = read.Optional(S.Kubectl, "sudo microk8s kubectl", Parse.CommandWords),
            K8sNamespace = read.Optional(S.K8sNamespace, "default", Parse.KubernetesName),
            K8sDeployment = read.Optional(S.K8sDeployment, "book-shop", Parse.KubernetesName),
            K8sContainer = read.Optional(S.K8sContainer, "book-shop", Parse.KubernetesName),
            ManifestsDir = read.Optional(S.ManifestsDir, "manifests", Parse.FilePath),
            RolloutTimeout = read.Optional(S.RolloutTimeout, TimeSpan.FromSeconds(180), Parse.Duration),
            ProductionCheckTimeout = read.Optional(S.ProductionCheckTimeout, TimeSpan.FromSeconds(60), Parse.Duration),
            HttpPolicy = Http.RetryPolicy.Default with
            {
                MaxRetries = read.Optional(S.HttpRetries, Http.RetryPolicy.Default.MaxRetries, Parse.Count),
                AttemptTimeout = read.Optional(S.HttpTimeout, Http.RetryPolicy.Default.AttemptTimeout, Parse.Duration),
            },
            SshRetries = read.Optional(S.SshRetries, 3, Parse.Count),
            IsCi = string.Equals(read.Raw(S.Ci), "true", StringComparison.OrdinalIgnoreCase) || read.Raw(S.Ci) == "1",
            Problems = read.Problems,
        };
    }

    private static RegistryType ParseRegistryType(string text) => text.ToLowerInvariant() switch
    {
        "ecr-public" => RegistryType.EcrPublic,
        "basic" => RegistryType.Basic,
        "none" => RegistryType.None,
        _ => throw new FormatException("is not ecr-public, basic or none"),
    };

    private static RetagMode ParseRetagMode(string text) => text.ToLowerInvariant() switch
    {
        "registry" => RetagMode.Registry,
        "docker" => RetagMode.Docker,
        _ => throw new FormatException("is not registry or docker"),
    };
}
