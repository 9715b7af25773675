using System.Collections.Concurrent;
using System.Text;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Pipeline.Settings;

/// <summary>
/// Every secret value the run has seen, in each form it could leak in (as is, trimmed, each line
/// of a key, base64, URL-encoded, and basic auth's base64 of user:password), and the one scrubber
/// that replaces them with [REDACTED] in whatever leaves the process. A <see cref="Secret"/>
/// registers itself when it is made.
/// </summary>
public static class SecretScrubber
{
    // Shorter values would redact ordinary text (and no real credential is that short).
    private const int MinimumLength = 4;
    private static readonly ConcurrentDictionary<string, byte> Known = new();

    // Longest first, so that a value is redacted whole before any of its lines. Sorted when a
    // secret arrives (rarely), not for every line logged (often: a build streams its output).
    private static string[] _longestFirst = [];

    public static void Register(string value)
    {
        var added = false;
        foreach (var form in Forms(value).Where(form => form.Length >= MinimumLength))
        {
            added |= Known.TryAdd(form, 0);
        }
        if (!added) return;
        // Each caller sorts what it sees after its own additions: the last one in sees them all.
        lock (Known) _longestFirst = [.. Known.Keys.OrderByDescending(key => key.Length)];
    }

    /// <summary>A credential pair as basic auth sends it (base64 of user:password).</summary>
    public static void RegisterBasic(string username, string password) =>
        Register(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    public static string Scrub(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        foreach (var secret in _longestFirst)
        {
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, Secret.Redacted, StringComparison.Ordinal);
        }
        return text;
    }

    private static IEnumerable<string> Forms(string value)
    {
        yield return value;
        yield return value.Trim();
        foreach (var line in value.Split('\n')) yield return line.Trim();
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(value.Trim()));
        yield return Uri.EscapeDataString(value);
        yield return Uri.EscapeDataString(value.Trim());
    }
}

/// <summary>
/// Cake's log, with every line passed through the <see cref="SecretScrubber"/> first. Text from
/// files, git and remote hosts cannot steer the terminal or GitHub Actions either: an escape
/// character is shown escaped, and a line that would begin with "::" (a workflow command) is
/// indented. The pipeline's own workflow commands (masking, outputs) do not go through the log.
/// </summary>
public sealed class ScrubbingLog(IConsole console) : ICakeLog
{
    private readonly CakeBuildLog _inner = new(console, Verbosity.Normal);

    public Verbosity Verbosity
    {
        get => _inner.Verbosity;
        set => _inner.Verbosity = value;
    }

    public void Write(Verbosity verbosity, LogLevel level, string format, params object[] args)
    {
        if (verbosity > Verbosity) return;
        var text = args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
        _inner.Write(verbosity, level, "{0}", Neutralise(SecretScrubber.Scrub(text)));
    }

    public static string Neutralise(string text) =>
        string.Join('\n', text.Replace("\u001b", "\\u001b").Split('\n').Select(line => line.StartsWith("::", StringComparison.Ordinal) ? " " + line : line));
}
