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
public sealed partial class PipelineSettings
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Z0-9]{16,128}\z")]
    private static partial System.Text.RegularExpressions.Regex AwsAccessKeyId();

    private PipelineSettings() { }

    public required ImageRepository Image { get; init; }
    public required RegistryType RegistryType { get; init; }
    public required string? RegistryUsername { get; init; }
    public required Secret? RegistryPassword { get; init; }
    public required Uri EcrPublicEndpoint { get; init; }

    /// <summary>Whether the AWS credential chain has keys, a profile or a web identity to read (see EcrPublic).</summary>
    public required bool AwsCredentialsConfigured { get; init; }
    public required string? BaseImage { get; init; }

    /// <summary>The repository's environments: dev, production, and those of environments.toml.</summary>
    public required Pipeline.Environments.EnvironmentCatalog Environments { get; init; }

    /// <summary>Where this run deploys (--environment, or its deploy task's default), or null when it does not deploy.</summary>
    public required Pipeline.Environments.DeployEnvironment? DeployTo { get; init; }

    /// <summary>Every environment, for a run that asks them all (Status); empty otherwise.</summary>
    public required IReadOnlyList<Pipeline.Environments.DeployEnvironment> EveryEnvironment { get; init; }

    /// <summary>The settings of the environments this run reads, which replace the tasks' declared dev and production ones in the up-front check.</summary>
    public required IReadOnlyList<Setting> EnvironmentSettings { get; init; }

    public required SnapshotTag? SnapshotTag { get; init; }
    public required string? SnapshotFile { get; init; }

    /// <summary>The key Push signs with: null when signing is off, or (in a dry run) when none is given.</summary>
    public required Signing.SigningKey? SigningKey { get; init; }

    /// <summary>--signing=off: Push signs nothing, and every verification refuses the unsigned image.</summary>
    public required bool SigningOff { get; init; }

    /// <summary>The committed public keys every verification accepts (cosign.pub); null when they could not be read.</summary>
    public required Signing.TrustedKeys? TrustedKeys { get; init; }

    /// <summary>Where the public keys are read (--signing-public-key, cosign.pub at the repository root).</summary>
    public required string SigningPublicKeyFile { get; init; }

    public required Secret? GitHubToken { get; init; }
    public required string GitHubRepository { get; init; }
    public required Uri GitHubApiUrl { get; init; }

    public required RetagMode RetagMode { get; init; }

    /// <summary>--format=json: Status prints JSON for scripts instead of its table.</summary>
    public required bool StatusAsJson { get; init; }

    /// <summary>--to: the release (vX.Y.Z) or, for dev, the snapshot tag Rollback goes to; null: the last verified before the current.</summary>
    public required string? RollbackTo { get; init; }

    /// <summary>How the HTTP clients retry transient failures, and how long one attempt may take.</summary>
    public required Http.RetryPolicy HttpPolicy { get; init; }

    /// <summary>CI=true: stricter about the working tree (the image must match its commit).</summary>
    public required bool IsCi { get; init; }

    public required IReadOnlyList<SettingProblem> Problems { get; init; }

    /// <summary>Settings that a task declares itself (not the contract's): their checked values.</summary>
    public required IReadOnlyDictionary<Setting, string> Declared { get; init; }

    /// <summary>Every secret value the settings hold (the contract's, AWS's, a task's own), for masking.</summary>
    public required IReadOnlyList<Secret> Secrets { get; init; }

    /// <summary>The problems that matter to the tasks about to run (those of the settings they declare), in the catalogue's order.</summary>
    public IReadOnlyList<SettingProblem> ProblemsFor(IReadOnlyList<Setting> used) =>
        Problems.Where(problem => used.Contains(problem.Setting)).Distinct().OrderBy(problem => used.ToList().IndexOf(problem.Setting)).ToList();

    /// <summary>A task's own setting: its checked value, or in a dry run without it, its placeholder.</summary>
    public string Value(Setting setting) => Declared.TryGetValue(setting, out var value) ? value : setting.Placeholder;

    public static PipelineSettings Read(ICakeArguments arguments, Func<string, string?> environment, SettingsCatalog catalog, Pipeline.Environments.EnvironmentCatalog environments)
    {
        var read = new SettingsReader(arguments, environment);

        var registry = read.Required(S.Registry, new RegistryAddress(S.Registry.Placeholder, null), RegistryAddress.Parse);
        var username = read.Raw(S.RegistryUsername);
        var registryType = read.Optional(S.RegistryType,
            // An unknown registry (a dry run without settings) plans the production path: ECR Public.
            registry.IsEcrPublic || registry.IsPlaceholder ? RegistryType.EcrPublic : username is not null ? RegistryType.Basic : RegistryType.None,
            ParseRegistryType);
        var password = read.Secret(S.RegistryPassword);
        // A secret that was set but refused is reported as refused, not also as missing.
        if (registryType == RegistryType.Basic && (username is null || (password is null && read.Raw(S.RegistryPassword) is null)))
        {
            read.Missing(username is null ? S.RegistryUsername : S.RegistryPassword, "registry type basic needs REGISTRY_USERNAME and REGISTRY_PASSWORD");
        }

        // The SDK reads these itself; read here too, so that they are checked, masked and scrubbed like every secret.
        read.Secret(S.AwsSecretAccessKey);
        read.Secret(S.AwsSessionToken);
        read.Optional<string?>(S.AwsAccessKeyId, null, text => AwsAccessKeyId().IsMatch(text)
            ? text
            : throw new FormatException("is not an AWS access key ID (16 to 128 upper-case letters and digits)"));
        var awsConfigured = EcrPublic.CredentialsConfigured(environment);
        if (registryType == RegistryType.EcrPublic && !awsConfigured)
        {
            // Advisory: on EC2 an instance role may still answer, so a real run is not refused.
            read.Advise(S.AwsAccessKeyId, "no AWS credentials configured: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a role (GitHub OIDC) for ECR Public");
        }

        // Only the environment this run deploys to is read: only its settings are required, and its
        // key file is opened only then (ReadVersion reads none).
        var targets = arguments.HasArgument("target") ? arguments.GetArguments("target") : [];
        var (deployTo, everyEnvironment, environmentSettings) = ReadEnvironments(read, catalog.DefaultEnvironment(catalog.Closure(targets)),
            catalog.Closure(targets).Contains(Tasks.TaskNames.Status, StringComparer.OrdinalIgnoreCase), environments);

        var snapshotTag = read.Optional(S.SnapshotTag, null, text => Versioning.SnapshotTag.TryParse(text, out var tag)
            ? tag
            : throw new FormatException("is not a snapshot tag X.Y.Z-SNAPSHOT-<7 lower-case hex>"));
        var snapshotFile = read.Optional(S.SnapshotFile, null, Parse.FilePath);
        if (snapshotTag is null && snapshotFile is null && read.Raw(S.SnapshotTag) is null)
        {
            read.Missing(S.SnapshotTag, "pass --snapshot-tag=X.Y.Z-SNAPSHOT-<sha7> or --snapshot-file=<the snapshot.json Dev wrote>");
        }

        // Release and Rollback cannot work without GitHub; a deploy writes the ledger when it can,
        // and says so in one line when it cannot.
        var closure = catalog.Closure(targets);
        var needsGitHub = new[] { Tasks.TaskNames.Release, Tasks.TaskNames.Rollback, Tasks.TaskNames.Status }.Any(task => closure.Contains(task, StringComparer.OrdinalIgnoreCase));
        var githubToken = read.Secret(S.GitHubToken);
        if (githubToken is null && read.Raw(S.GitHubToken) is null && needsGitHub)
        {
            read.Missing(S.GitHubToken, "set GITHUB_TOKEN (in GitHub Actions: env: GITHUB_TOKEN: ${{ github.token }})");
        }

        var (signingKey, signingOff, trustedKeys, publicKeyFile) = ReadSigning(read, closure.Contains(Tasks.TaskNames.Push, StringComparer.OrdinalIgnoreCase));
        var declared = ReadDeclared(read, catalog);

        return new PipelineSettings
        {
            Image = new ImageRepository(registry, read.Optional(S.Repository, "book-shop", ImageRepository.ParseName)),
            RegistryType = registryType,
            RegistryUsername = username,
            RegistryPassword = password,
            AwsCredentialsConfigured = awsConfigured,
            EcrPublicEndpoint = read.Optional(S.EcrPublicEndpoint, read.Optional(S.AwsEndpoint, EcrPublic.DefaultEndpoint, Parse.HttpUrl), Parse.HttpUrl),
            BaseImage = read.Optional(S.BaseImage, null, text => ImageGrammar.Reference().IsMatch(text)
                ? text
                : throw new FormatException("is not an image reference")),
            Environments = environments,
            DeployTo = deployTo,
            EveryEnvironment = everyEnvironment,
            EnvironmentSettings = environmentSettings,
            SnapshotTag = snapshotTag,
            SnapshotFile = snapshotFile,
            SigningKey = signingKey,
            SigningOff = signingOff,
            TrustedKeys = trustedKeys,
            SigningPublicKeyFile = publicKeyFile,
            GitHubToken = githubToken,
            GitHubRepository = needsGitHub
                ? read.Required(S.GitHubRepository, S.GitHubRepository.Placeholder, Parse.GitHubRepository)
                : read.Optional(S.GitHubRepository, S.GitHubRepository.Placeholder, Parse.GitHubRepository),
            GitHubApiUrl = read.Optional(S.GitHubApiUrl, new Uri("https://api.github.com"), Parse.HttpUrl),
            RetagMode = read.Optional(S.RetagMode, RetagMode.Registry, ParseRetagMode),
            StatusAsJson = read.Optional(S.StatusFormat, false, text => text.ToLowerInvariant() switch
            {
                "table" => false,
                "json" => true,
                _ => throw new FormatException("is not table or json"),
            }),
            RollbackTo = read.Optional<string?>(S.RollbackTo, null, text =>
                (text.StartsWith('v') && ReleaseVersion.TryParse(text[1..], out _)) || Versioning.SnapshotTag.TryParse(text, out _)
                    ? text
                    : throw new FormatException("is not a release vX.Y.Z or a snapshot tag X.Y.Z-SNAPSHOT-<sha7>")),
            HttpPolicy = Http.RetryPolicy.Default with
            {
                MaxRetries = read.Optional(S.HttpRetries, Http.RetryPolicy.Default.MaxRetries, Parse.Count),
                AttemptTimeout = read.Optional(S.HttpTimeout, Http.RetryPolicy.Default.AttemptTimeout, Parse.Duration),
            },
            IsCi = string.Equals(read.Raw(S.Ci), "true", StringComparison.OrdinalIgnoreCase) || read.Raw(S.Ci) == "1",
            Declared = declared,
            Secrets = read.Secrets,
            Problems = read.Problems,
        };
    }

    /// <summary>
    /// The environment a deploy goes to: --environment, else the deploy task's default; an unknown
    /// name is refused with the nearest one, and so are two docker-host environments on one port.
    /// A run that asks every environment (Status) reads each of them.
    /// </summary>
    private static (Pipeline.Environments.DeployEnvironment?, IReadOnlyList<Pipeline.Environments.DeployEnvironment>, IReadOnlyList<Setting>) ReadEnvironments(
        SettingsReader read, string? fallback, bool every, Pipeline.Environments.EnvironmentCatalog environments)
    {
        if (fallback is null && !every) return (null, [], []);
        foreach (var collision in environments.Collisions(read)) read.Invalid(S.Environment, collision);
        var insecure = read.Flag(S.InsecureAcceptAnyHostKey);
        var retries = read.Optional(S.SshRetries, 3, Parse.Count);
        var used = new List<Setting> { S.InsecureAcceptAnyHostKey, S.SshRetries };
        Pipeline.Environments.DeployEnvironment? deployTo = null;
        if (fallback is not null)
        {
            var name = read.Optional(S.Environment, fallback, Parse.EnvironmentName);
            if (!environments.Contains(name))
            {
                read.Invalid(S.Environment, $"\"{SettingsReader.Printable(name)}\" is no environment of this repository"
                    + (CommandLine.Nearest(name, environments.Names) is { } nearest ? $"; did you mean {nearest}?" : "")
                    + $" ({string.Join(", ", environments.Names)}; others are declared in {Pipeline.Environments.EnvironmentCatalog.FileName})");
                name = fallback;
            }
            (deployTo, var deployToUses) = environments.Read(name, read, readFiles: true, insecure, retries);
            used.Add(S.Environment);
            used.AddRange(deployToUses);
        }
        var all = new List<Pipeline.Environments.DeployEnvironment>();
        if (every)
        {
            foreach (var name in environments.Names)
            {
                if (deployTo?.Name == name)
                {
                    all.Add(deployTo);
                    continue;
                }
                var (environment, uses) = environments.Read(name, read, readFiles: true, insecure, retries);
                all.Add(environment);
                used.AddRange(uses);
            }
        }
        return (deployTo, all, [.. used.Distinct()]);
    }

    /// <summary>
    /// The committed public keys, read for every run (only the tasks that verify or sign report a
    /// problem with them), and the private key, read only when Push runs (it signs what it pushed): it must be one of the
    /// committed keys' other halves, or every signature it made would be refused later.
    /// </summary>
    private static (Signing.SigningKey?, bool, Signing.TrustedKeys?, string) ReadSigning(SettingsReader read, bool signs)
    {
        var off = !read.Optional(S.Signing, true, text => SettingsReader.IsTrue(text) ?? throw new FormatException("is not on or off"));
        var path = read.Optional(S.SigningPublicKey, "cosign.pub", Parse.FilePath);
        Signing.TrustedKeys? trusted = null;
        if (Parse.NotAReadableFile(path, maxBytes: 64 * 1024) is { } why)
        {
            read.Missing(S.SigningPublicKey, $"\"{SettingsReader.Printable(path)}\" {why}: commit the public key (README: Signing), or point --signing-public-key at it");
        }
        else
        {
            try
            {
                trusted = Signing.TrustedKeys.Read(path, File.ReadAllText(path));
            }
            catch (FormatException exception)
            {
                read.Invalid(S.SigningPublicKey, $"\"{SettingsReader.Printable(path)}\" {exception.Message}");
            }
        }
        if (!signs || off) return (null, off, trusted, path);

        var pem = read.Secret(S.SigningKey, S.SigningKeyFile);
        if (pem is null)
        {
            if (read.Raw(S.SigningKey) is null && read.Raw(S.SigningKeyFile) is null) read.Missing(S.SigningKey, "set SIGNING_KEY (the private key's PEM text) or SIGNING_KEY_FILE, or turn signing off with --signing=off (every deploy then refuses the image)");
            return (null, off, trusted, path);
        }
        try
        {
            var key = Signing.SigningKey.Read(pem);
            if (trusted is not null && !trusted.Contains(key.PublicKey))
            {
                read.Invalid(S.SigningKey, $"is the private half of key {key.PublicKey.Id}, which is not in {trusted.Describe()}: every deploy would refuse its signatures; commit its public key, or set the key that belongs to {trusted.Source}");
            }
            return (key, off, trusted, path);
        }
        catch (FormatException exception)
        {
            read.Invalid(S.SigningKey, exception.Message);
            return (null, off, trusted, path);
        }
    }

    /// <summary>A task's own settings, beyond the contract's: required, checked and secret as declared.</summary>
    private static Dictionary<Setting, string> ReadDeclared(SettingsReader read, SettingsCatalog catalog)
    {
        var contract = typeof(Settings).GetFields().Select(field => field.GetValue(null)).OfType<Setting>().ToHashSet();
        var values = new Dictionary<Setting, string>();
        foreach (var setting in catalog.All.Where(setting => !contract.Contains(setting)))
        {
            if (setting.IsSecret)
            {
                // Read for its check and for masking (the reader keeps every secret it reads).
                if (read.Secret(setting) is null && setting.IsRequired && read.Raw(setting) is null)
                {
                    read.Missing(setting, $"set the environment variable {setting.Variable}");
                }
                continue;
            }
            var value = setting.IsRequired ? read.Required<string?>(setting, null, Checked(setting)) : read.Optional<string?>(setting, null, Checked(setting));
            if (value is not null) values[setting] = value;
        }
        return values;
    }

    private static Func<string, string?> Checked(Setting setting) => text =>
    {
        setting.Check?.Invoke(text);
        return text;
    };

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
