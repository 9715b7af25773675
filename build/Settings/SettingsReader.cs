using Cake.Core;

namespace Pipeline.Settings;

/// <summary>
/// A setting that is missing or invalid; reported before the first task runs. An advisory one is
/// only listed by a dry run, since a real run may still find the value elsewhere (an instance role).
/// </summary>
public sealed record SettingProblem(Setting Setting, string Message, bool IsMissing, bool IsAdvisory = false)
{
    public override string ToString() => $"{Setting.Names}: {Message}";
}

/// <summary>
/// Reads each setting once: the argument wins over the environment variable; secrets come only
/// from the environment. Bad values become problems (never exceptions) so that all are reported together.
/// </summary>
public sealed class SettingsReader(ICakeArguments arguments, Func<string, string?> environment)
{
    private readonly List<SettingProblem> _problems = [];
    private readonly List<Secret> _secrets = [];
    private readonly HashSet<Setting> _givenBare = [];

    public IReadOnlyList<SettingProblem> Problems => _problems;

    /// <summary>Every secret value read, refused ones too: all of them are masked, whatever the tasks.</summary>
    public IReadOnlyList<Secret> Secrets => _secrets;

    public string? Raw(Setting setting)
    {
        if (setting.Argument is not null && arguments.HasArgument(setting.Argument))
        {
            if (NullIfEmpty(arguments.GetArguments(setting.Argument).LastOrDefault()) is { } value) return value;
            // "--registry" alone would blank the setting and hide its variable: refused, once.
            if (_givenBare.Add(setting)) _problems.Add(new SettingProblem(setting, $"--{setting.Argument} needs a value: pass --{setting.Argument}=<value>", IsMissing: false));
            return null;
        }
        return NullIfEmpty(environment(setting.Variable));
    }

    /// <summary>on/off, true/false, yes/no, 1/0 in any case; null for anything else.</summary>
    public static bool? IsTrue(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "true" or "on" or "yes" or "1" => true,
        "false" or "off" or "no" or "0" => false,
        _ => null,
    };

    public T Optional<T>(Setting setting, T fallback, Func<string, T> parse)
    {
        var raw = Raw(setting);
        return raw is null ? fallback : Parse(setting, raw, parse, fallback);
    }

    public T Required<T>(Setting setting, T placeholder, Func<string, T> parse)
    {
        var raw = Raw(setting);
        if (raw is null)
        {
            if (_givenBare.Contains(setting)) return placeholder;
            _problems.Add(new SettingProblem(setting, "missing: " + HowToSet(setting), IsMissing: true));
            return placeholder;
        }
        return Parse(setting, raw, parse, placeholder);
    }

    /// <summary>A switch: given bare (`--insecure-accept-any-host-key`) it is on.</summary>
    public bool Flag(Setting setting)
    {
        if (setting.Argument is not null && arguments.HasArgument(setting.Argument)
            && string.IsNullOrWhiteSpace(arguments.GetArguments(setting.Argument).LastOrDefault()))
        {
            return true;
        }
        return Optional(setting, false, raw => IsTrue(raw) ?? throw new FormatException("is not on or off (true/false, yes/no, 1/0)"));
    }

    /// <summary>A secret from its variable, or from the file its *_FILE variable names (opened only when <paramref name="readFile"/>).</summary>
    public Secret? Secret(Setting setting, Setting? fileSetting = null, bool readFile = true)
    {
        var argumentName = setting.Variable.ToLowerInvariant().Replace('_', '-');
        if (arguments.HasArgument(argumentName) || arguments.HasArgument(setting.Variable.ToLowerInvariant()))
        {
            _problems.Add(new SettingProblem(setting,
                $"is a secret: set the environment variable {setting.Variable}, never --{argumentName} (arguments land in shell history and process lists)", IsMissing: false));
        }

        if (NullIfEmpty(environment(setting.Variable)) is { } value)
        {
            return Checked(setting, Kept(new Secret(value)), multiLine: fileSetting is not null);
        }
        if (fileSetting is not null && readFile && NullIfEmpty(environment(fileSetting.Variable)) is { } path)
        {
            if (Pipeline.Settings.Parse.NotAReadableFile(path, maxBytes: 64 * 1024) is { } why)
            {
                _problems.Add(new SettingProblem(fileSetting, $"\"{Printable(path)}\" {why}: point it at the private key file", IsMissing: false));
                return null;
            }
            return Checked(setting, Kept(new Secret(File.ReadAllText(path))), multiLine: true);
        }
        return null;
    }

    private Secret Kept(Secret secret)
    {
        _secrets.Add(secret);
        return secret;
    }

    /// <summary>
    /// A secret with a control character (a line end pasted with it, most often) would fail later
    /// in a library message that may quote it: refused here, never shown. Keys may span lines.
    /// </summary>
    private Secret? Checked(Setting setting, Secret secret, bool multiLine)
    {
        var value = secret.Reveal();
        var allowed = multiLine ? value.Replace("\r\n", "\n").TrimEnd('\n') : value;
        if (allowed.Any(c => char.IsControl(c) && !(multiLine && c == '\n')) || (!multiLine && value.Any(char.IsWhiteSpace)))
        {
            _problems.Add(new SettingProblem(setting,
                "contains a control character or white space (a line end pasted with it?): set it again without one (the value is not shown)", IsMissing: false));
            return null;
        }
        return secret;
    }

    /// <summary>A value from elsewhere than the setting's argument or variable (environments.toml), checked the same way.</summary>
    public T Given<T>(Setting setting, string raw, Func<string, T> parse, T fallback) => Parse(setting, raw, parse, fallback);

    public void Missing(Setting setting, string message) =>
        _problems.Add(new SettingProblem(setting, "missing: " + message, IsMissing: true));

    public void Advise(Setting setting, string message) =>
        _problems.Add(new SettingProblem(setting, "missing: " + message, IsMissing: true, IsAdvisory: true));

    public void Invalid(Setting setting, string message) =>
        _problems.Add(new SettingProblem(setting, message, IsMissing: false));

    private T Parse<T>(Setting setting, string raw, Func<string, T> parse, T fallback)
    {
        try
        {
            return parse(raw);
        }
        catch (FormatException exception)
        {
            _problems.Add(new SettingProblem(setting, $"\"{Printable(raw)}\" {exception.Message}", IsMissing: false));
            return fallback;
        }
    }

    private static string HowToSet(Setting setting) => setting.Argument is null
        ? $"set the environment variable {setting.Variable}"
        : $"pass --{setting.Argument}=<value> or set {setting.Variable}";

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>Bad input is echoed on one line: control characters escaped, length capped.</summary>
    public static string Printable(string value, int maxLength = 80)
    {
        var escaped = string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return escaped.Length > maxLength ? escaped[..maxLength] + "..." : escaped;
    }
}
