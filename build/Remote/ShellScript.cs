using System.Text;

namespace Pipeline.Remote;

/// <summary>
/// Builds a POSIX sh script that starts with `set -eu`. Values enter only through
/// <see cref="Set"/>, which single-quotes them; callers validate them before.
/// </summary>
public sealed class ShellScript
{
    private readonly StringBuilder _text = new("set -eu\n");

    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    public ShellScript Set(string name, string value)
    {
        _text.Append(name).Append('=').Append(Quote(value)).Append('\n');
        return this;
    }

    public ShellScript Set(string name, int value) => Set(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Script text written in the source, never built from input.</summary>
    public ShellScript Body(string body)
    {
        _text.Append(body.Replace("\r\n", "\n").TrimEnd()).Append('\n');
        return this;
    }

    public override string ToString() => _text.ToString();
}
