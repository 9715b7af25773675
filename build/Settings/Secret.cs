namespace Pipeline.Settings;

/// <summary>
/// A credential. It prints as [REDACTED] wherever it is formatted; the value leaves only
/// through <see cref="Reveal"/>, at the one place that sends it (standard input, a header).
/// Deliberately a class, not a record: a record's generated ToString would print the value.
/// </summary>
public sealed class Secret
{
    public const string Redacted = "[REDACTED]";
    private readonly string _value;

    public Secret(string value)
    {
        _value = value;
        SecretScrubber.Register(value);
    }

    public string Reveal() => _value;

    /// <summary>Every line of the value, for masking multi-line secrets such as private keys.</summary>
    public IEnumerable<string> Lines() =>
        _value.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Trim().Length > 0);

    public override string ToString() => Redacted;
}
