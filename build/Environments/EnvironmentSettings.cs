using Pipeline.Settings;

namespace Pipeline.Environments;

/// <summary>
/// The settings of one environment, by key ("host", "host-port"). For dev and production they
/// are the contract's settings (EC2_HOST, DEV_HOST_PORT, K8S_NAMESPACE); for a declared
/// environment they carry its name (STAGING_HOST or --staging-host; a secret only as STAGING_SSH_KEY),
/// with its value in environments.toml as the fallback. A kind reads its keys once, here, and
/// the problems go where every setting's go: reported up front, all at once.
/// </summary>
public sealed class EnvironmentSettings
{
    private readonly SettingsReader _read;
    private readonly Func<string, Setting?> _settingOf;
    private readonly IReadOnlyDictionary<string, string> _declared;
    private readonly List<Setting> _used = [];

    public EnvironmentSettings(string name, SettingsReader read, Func<string, Setting?> settingOf, IReadOnlyDictionary<string, string> declared,
        bool readFiles, bool acceptAnyHostKey, int sshRetries)
    {
        Name = name;
        AcceptAnyHostKey = acceptAnyHostKey;
        SshRetries = sshRetries;
        _read = read;
        _settingOf = settingOf;
        _declared = declared;
        ReadFiles = readFiles;
    }

    public string Name { get; }

    /// <summary>INSECURE_ACCEPT_ANY_HOST_KEY, which holds for every environment (and warns on every use).</summary>
    public bool AcceptAnyHostKey { get; }

    /// <summary>SSH_RETRIES, which holds for every environment.</summary>
    public int SshRetries { get; }

    /// <summary>Whether files a setting names (a key file) are opened: only when this run deploys here.</summary>
    public bool ReadFiles { get; }

    /// <summary>The settings read, for the up-front check of a run that deploys here.</summary>
    public IReadOnlyList<Setting> Used => _used;

    public T Optional<T>(string key, T fallback, Func<string, T> parse)
    {
        var setting = Use(key);
        if (setting is not null && _read.Raw(setting) is not null) return _read.Optional(setting, fallback, parse);
        return _declared.TryGetValue(key, out var text) && setting is not null ? _read.Given(setting, text, parse, fallback) : fallback;
    }

    public T Required<T>(string key, T placeholder, Func<string, T> parse)
    {
        var setting = Use(key) ?? throw new InvalidOperationException($"{Name} has no setting for {key}");
        if (_read.Raw(setting) is null && _declared.TryGetValue(key, out var text)) return _read.Given(setting, text, parse, placeholder);
        return _read.Required(setting, placeholder, parse);
    }

    /// <summary>A secret: its variable, or the file its *_FILE variable names; never environments.toml.</summary>
    public Secret? Secret(string key, string fileKey, string howToSet)
    {
        var setting = Use(key) ?? throw new InvalidOperationException($"{Name} has no setting for {key}");
        var file = Use(fileKey);
        var secret = _read.Secret(setting, file, readFile: ReadFiles);
        if (secret is null && _read.Raw(setting) is null && (file is null || _read.Raw(file) is null))
        {
            _read.Missing(setting, howToSet);
        }
        return secret;
    }

    /// <summary>How a problem names the key: its variable (EC2_HOST, STAGING_HOST).</summary>
    public string VariableOf(string key) => _settingOf(key)?.Variable ?? key;

    public void Invalid(string key, string message)
    {
        if (Use(key) is { } setting) _read.Invalid(setting, message);
    }

    /// <summary>A placeholder naming the key's variable, for a dry run without it: &lt;STAGING_HOST&gt;.</summary>
    public string Placeholder(string key) => Placeholders.For(VariableOf(key));

    private Setting? Use(string key)
    {
        var setting = _settingOf(key);
        if (setting is not null && !_used.Contains(setting)) _used.Add(setting);
        return setting;
    }
}
