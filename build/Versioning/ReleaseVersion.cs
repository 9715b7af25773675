using System.Text.RegularExpressions;

namespace Pipeline.Versioning;

/// <summary>MAJOR.MINOR.PATCH without leading zeros: the image and release tags need exactly that.</summary>
public sealed partial record ReleaseVersion(int Major, int Minor, int Patch)
{
    // [0-9], not \d: in .NET \d also matches other scripts' digits.
    [GeneratedRegex(@"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\z")]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out ReleaseVersion version)
    {
        var match = Pattern().Match(text);
        version = match.Success
            ? new ReleaseVersion(int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value), int.Parse(match.Groups[3].Value))
            : new ReleaseVersion(0, 0, 0);
        return match.Success;
    }

    /// <summary>The tag of the GitHub release and of the promoted image.</summary>
    public string ReleaseTag => $"v{this}";

    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}
