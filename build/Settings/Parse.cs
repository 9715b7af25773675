using System.Net;
using System.Text.RegularExpressions;

namespace Pipeline.Settings;

/// <summary>Parsers for setting values; each throws FormatException with the end of a sentence.</summary>
internal static partial class Parse
{
    public static int Port(string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, null, out var port) && port is >= 1 and <= 65535 && !text.StartsWith('0')
            ? port
            : throw new FormatException("is not a port (1-65535)");

    public static int Count(string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, null, out var count) && count is >= 0 and <= 10
            ? count
            : throw new FormatException("is not a whole number from 0 to 10");

    /// <summary>"90s", "3m", "1h" or plain seconds; between 1 second and 24 hours.</summary>
    public static TimeSpan Duration(string text)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            throw new FormatException("is not a duration like 60s, 3m or 1h");
        }
        var amount = int.Parse(match.Groups[1].Value);
        var duration = match.Groups[2].Value switch
        {
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromSeconds(amount),
        };
        return duration >= TimeSpan.FromSeconds(1) && duration <= TimeSpan.FromHours(24)
            ? duration
            : throw new FormatException("is not between 1s and 24h");
    }

    public static string HostName(string text) =>
        HostNamePattern().IsMatch(text) || (IPAddress.TryParse(text, out var address) && address.ToString() == text)
            ? text
            : throw new FormatException("is not a host name or IP address");

    public static string UserName(string text) =>
        UserPattern().IsMatch(text) ? text : throw new FormatException("is not a user name (lower-case letters, digits, '_', '-'; at most 32)");

    public static string ContainerName(string text) =>
        ContainerPattern().IsMatch(text) ? text : throw new FormatException("is not a container name (letters, digits, '_', '.', '-')");

    public static string UrlPath(string text) =>
        UrlPathPattern().IsMatch(text) ? text : throw new FormatException("is not a URL path like /healthz");

    public static string KubernetesName(string text) =>
        KubernetesPattern().IsMatch(text) && text.Length <= 63 ? text : throw new FormatException("is not a Kubernetes name (lower-case letters, digits and '-'; at most 63)");

    public static string EnvironmentName(string text) =>
        EnvironmentPattern().IsMatch(text) ? text : throw new FormatException("is not an environment name (lower-case letters, digits and '-', starting with a letter; at most 32)");

    /// <summary>A kube context's name as kubeconfig files hold them (an EKS ARN, user@cluster): no space, no quote.</summary>
    public static string KubeContext(string text) =>
        KubeContextPattern().IsMatch(text) ? text : throw new FormatException("is not a kube context name (letters, digits, '@', ':', '/', '.', '_', '-')");

    public static string CommandWords(string text) =>
        CommandPattern().IsMatch(text) ? text : throw new FormatException("is not a command (words of letters, digits, '/', '.', '_', '-' separated by single spaces)");

    public static string GitHubRepository(string text) =>
        GitHubRepositoryPattern().IsMatch(text) && text.Split('/')[1] is not ("." or "..")
            ? text
            : throw new FormatException("is not owner/name as GitHub spells it (a name is not . or ..)");

    public static Uri HttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.UserInfo.Length == 0 && uri.Query.Length == 0
            ? uri
            : throw new FormatException("is not an http(s) URL without credentials or query");

    /// <summary>An absolute path on the remote host, placed in a script: plain characters, no "..".</summary>
    public static string RemotePath(string text) =>
        RemotePathPattern().IsMatch(text) && !text.Split('/').Contains("..")
            ? text
            : throw new FormatException("is not an absolute path on the host (letters, digits, '/', '.', '_', '-'; no '..')");

    public static string FilePath(string text) =>
        text.Any(char.IsControl) ? throw new FormatException("is not a file path") : text;

    /// <summary>
    /// A file to read whole (a key, a record): a FIFO or a device has no length, and reading one
    /// would wait forever; an empty file is no key either. Checked without opening it.
    /// </summary>
    public static string? NotAReadableFile(string path, long maxBytes)
    {
        if (Directory.Exists(path)) return "is a directory, not a file";
        var info = new FileInfo(path);
        if (!info.Exists) return "does not exist";
        if (info.Length == 0) return "is empty, or not a regular file (a FIFO or a device)";
        return info.Length > maxBytes ? $"is larger than {maxBytes / 1024} KiB" : null;
    }

    [GeneratedRegex(@"^([0-9]{1,6})(s|m|h)?\z")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z")]
    private static partial Regex HostNamePattern();

    [GeneratedRegex(@"^[a-z_][a-z0-9_-]{0,31}\z")]
    private static partial Regex UserPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\z")]
    private static partial Regex ContainerPattern();

    [GeneratedRegex(@"^/[A-Za-z0-9._~/-]{0,200}\z")]
    private static partial Regex UrlPathPattern();

    [GeneratedRegex(@"^/[A-Za-z0-9._/-]{1,255}\z")]
    private static partial Regex RemotePathPattern();

    [GeneratedRegex(@"^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex KubernetesPattern();

    [GeneratedRegex(@"^[A-Za-z0-9/._-]+(?: [A-Za-z0-9/._-]+){0,7}\z")]
    private static partial Regex CommandPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,31}\z")]
    private static partial Regex EnvironmentPattern();

    [GeneratedRegex(@"^[A-Za-z0-9@:/._-]{1,253}\z")]
    private static partial Regex KubeContextPattern();

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}\z")]
    private static partial Regex GitHubRepositoryPattern();
}
