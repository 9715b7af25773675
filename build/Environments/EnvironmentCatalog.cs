using System.Globalization;
using Pipeline.Settings;
using Tomlyn.Model;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Environments;

/// <summary>
/// The environments a repository has: `dev` (a docker host) and `production` (a MicroK8s node)
/// without declaring anything, their settings the contract's (EC2_*, DEV_*, K8S_*); and those
/// environments.toml at the repository's root declares, one table each, with the kind and any
/// value that is no secret. A declared environment's settings carry its name: `[staging] host`
/// is overridden by --staging-host or STAGING_HOST, and its key comes from STAGING_SSH_KEY.
/// </summary>
public sealed class EnvironmentCatalog
{
    public const string FileName = "environments.toml";
    public const string Dev = "dev";
    public const string Production = "production";

    /// <summary>How dev and production are reached: the one EC2 host, by the contract's names.</summary>
    private static readonly Dictionary<string, Setting> Ec2Settings = new(StringComparer.Ordinal)
    {
        ["host"] = S.Ec2Host, ["port"] = S.Ec2Port, ["user"] = S.Ec2User, ["ssh-key"] = S.Ec2SshKey, ["ssh-key-file"] = S.Ec2SshKeyFile,
        ["host-key"] = S.Ec2HostKey,
    };

    /// <summary>dev's settings by key: the contract's names, read since before environments existed.</summary>
    private static readonly Dictionary<string, Setting> DevSettings = new(Ec2Settings, StringComparer.Ordinal)
    {
        ["container"] = S.DevContainer, ["host-port"] = S.DevHostPort, ["backup-port"] = S.DevBackupPort,
        ["app-port"] = S.AppPort, ["health-path"] = S.HealthPath, ["health-timeout"] = S.HealthTimeout, ["site"] = S.DevNginxSite,
        ["nginx-conf"] = S.DevNginxConf,
    };

    /// <summary>production's settings by key: the same host as dev's, and the contract's Kubernetes names.</summary>
    private static readonly Dictionary<string, Setting> ProductionSettings = new(Ec2Settings, StringComparer.Ordinal)
    {
        ["kubectl"] = S.Kubectl, ["namespace"] = S.K8sNamespace, ["deployment"] = S.K8sDeployment,
        ["container"] = S.K8sContainer, ["manifests"] = S.ManifestsDir, ["rollout-timeout"] = S.RolloutTimeout,
        ["check-timeout"] = S.ProductionCheckTimeout,
    };

    private readonly Dictionary<string, Declared> _environments;

    private EnvironmentCatalog(Dictionary<string, Declared> environments) => _environments = environments;

    private sealed record Declared(string Kind, IReadOnlyDictionary<string, string> Values, IReadOnlyDictionary<string, Setting> Settings);

    /// <summary>dev, production, then the declared ones in the file's order.</summary>
    public IReadOnlyList<string> Names => [.. _environments.Keys];

    /// <summary>The settings of dev and production, which the deploy tasks declare for --help and the README.</summary>
    public static IReadOnlyList<Setting> BuiltInSettings { get; } = [.. DevSettings.Values.Concat(ProductionSettings.Values).Distinct()];

    /// <summary>Every declared environment's own settings (STAGING_HOST, --staging-host): known to the command line.</summary>
    public IReadOnlyList<Setting> DeclaredSettings =>
        [.. _environments.Where(pair => pair.Key is not (Dev or Production)).SelectMany(pair => pair.Value.Settings.Values)];

    public string KindOf(string name) => _environments[name].Kind;

    public bool Contains(string name) => _environments.ContainsKey(name);

    /// <summary>The repository's environments: dev and production, and those of environments.toml when it exists.</summary>
    public static EnvironmentCatalog Load(string repositoryRoot)
    {
        var environments = new Dictionary<string, Declared>(StringComparer.Ordinal)
        {
            [Dev] = new("docker-host", new Dictionary<string, string>(), DevSettings),
            [Production] = new("microk8s", new Dictionary<string, string>(), ProductionSettings),
        };
        var path = Path.Combine(repositoryRoot, FileName);
        if (!File.Exists(path)) return new EnvironmentCatalog(environments);

        var document = StrictToml.Read(path, FileName);
        foreach (var (name, value) in document)
        {
            environments.Add(name, Declare(name, value));
        }
        return new EnvironmentCatalog(environments);
    }

    private static Declared Declare(string name, object value)
    {
        BuildInputException Refuse(string what) => new($"{FileName}: [{name}] {what}");
        if (name is Dev or Production) throw Refuse($"is built in: its settings are the contract's (EC2_*, DEV_*, K8S_*); declare another name and deploy there with --environment");
        try
        {
            Parse.EnvironmentName(name);
        }
        catch (FormatException exception)
        {
            throw Refuse(exception.Message);
        }
        if (value is not TomlTable table) throw Refuse("is not a table: write [" + name + "] and its keys below it");
        if (!table.TryGetValue("kind", out var kindValue) || kindValue is not string kind || !EnvironmentKinds.Exists(kind))
        {
            throw Refuse($"needs kind = one of {string.Join(", ", EnvironmentKinds.Names.Select(kind => $"\"{kind}\""))}");
        }
        var keys = EnvironmentKinds.KeysOf(kind);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, item) in table)
        {
            if (key == "kind") continue;
            if (!keys.Contains(key)) throw Refuse($"{key}: not a key of a {kind} environment ({string.Join(", ", keys)})");
            if (key == "ssh-key") throw Refuse($"ssh-key: a secret never goes into the repository: set {Variable(name, key)} in the environment (a GitHub secret)");
            values[key] = item switch
            {
                string text => text,
                long number => number.ToString(CultureInfo.InvariantCulture),
                _ => throw Refuse($"{key}: give a string or a whole number"),
            };
        }
        var settings = keys.ToDictionary(key => key, key => key switch
        {
            "ssh-key" => Setting.Secret(Variable(name, key), $"required (secret): {name}'s private key text, or {Variable(name, "ssh-key-file")}"),
            "ssh-key-file" => new Setting(null, Variable(name, key), $"none: the path of {name}'s private key"),
            _ => new Setting($"{name}-{key}", Variable(name, key), values.TryGetValue(key, out var given) ? $"`{given}` ({FileName})" : $"{FileName} [{name}] {key}"),
        }, StringComparer.Ordinal);
        return new Declared(kind, values, settings);
    }

    /// <summary>A declared environment's variable: STAGING_HOST_PORT for [staging] host-port.</summary>
    private static string Variable(string environment, string key) => $"{environment}_{key}".ToUpperInvariant().Replace('-', '_');

    /// <summary>
    /// Reads one environment through the run's settings. Only the environment a run deploys to is
    /// read, so only its settings are required, and only its key file is opened.
    /// </summary>
    public (DeployEnvironment Environment, IReadOnlyList<Setting> Used) Read(string name, SettingsReader read, bool readFiles, bool acceptAnyHostKey, int sshRetries)
    {
        var declared = _environments[name];
        var settings = new EnvironmentSettings(name, read, key => declared.Settings.GetValueOrDefault(key), declared.Values, readFiles, acceptAnyHostKey, sshRetries);
        return (EnvironmentKinds.Read(declared.Kind, settings), settings.Used);
    }

    /// <summary>
    /// Docker-host environments that would run on the same host and port: one line each. Read from
    /// the settings' raw values and the file, without checking them (each one's own read does).
    /// </summary>
    public IReadOnlyList<string> Collisions(SettingsReader read)
    {
        string? Raw(Declared declared, string key) =>
            (declared.Settings.GetValueOrDefault(key) is { } setting ? read.Raw(setting) : null) ?? declared.Values.GetValueOrDefault(key);
        var taken = new Dictionary<(string Host, string Port), string>();
        var collisions = new List<string>();
        foreach (var (name, declared) in _environments.Where(pair => pair.Value.Kind == "docker-host"))
        {
            if (Raw(declared, "host") is not { } host) continue;
            foreach (var (key, fallback) in new[] { ("host-port", "4000"), ("backup-port", "4001") })
            {
                var port = Raw(declared, key) ?? fallback;
                if (taken.TryGetValue((host, port), out var other) && other != name)
                {
                    collisions.Add($"{name} and {other} would both run on {host} port {port}: give {name} ports of its own ({FileName}, or its settings)");
                }
                else
                {
                    taken[(host, port)] = name;
                }
            }
        }
        return collisions;
    }
}
