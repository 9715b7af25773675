using System.Text.RegularExpressions;

namespace Pipeline.Versioning;

/// <summary>X.Y.Z-SNAPSHOT-&lt;sha7&gt;: the tag of the image that Dev built from one commit.</summary>
public sealed partial record SnapshotTag(ReleaseVersion Version, string ShortSha)
{
    [GeneratedRegex(@"^([0-9]+\.[0-9]+\.[0-9]+)-SNAPSHOT-([0-9a-f]{7})\z")]
    private static partial Regex Pattern();

    // The OCI distribution spec's tag grammar, with the classes written out (\w is Unicode in .NET).
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex OciTag();

    public static SnapshotTag For(ReleaseVersion version, SourceCommit commit)
    {
        var tag = new SnapshotTag(version, commit.ShortSha);
        if (!OciTag().IsMatch(tag.ToString()))
        {
            throw new BuildInputException($"The snapshot tag \"{tag}\" is not a valid OCI tag; check the version in pyproject.toml.");
        }
        return tag;
    }

    public static bool TryParse(string text, out SnapshotTag? tag)
    {
        var match = Pattern().Match(text);
        tag = match.Success && ReleaseVersion.TryParse(match.Groups[1].Value, out var version)
            ? new SnapshotTag(version, match.Groups[2].Value)
            : null;
        return tag is not null;
    }

    public static bool IsOciTag(string text) => OciTag().IsMatch(text);

    /// <summary>The snapshot among the tags of the first commit (nearest first) that has one.</summary>
    public static SnapshotTag? OfNearest(IEnumerable<string> commits, IEnumerable<string> tags)
    {
        var snapshots = tags.Select(tag => TryParse(tag, out var snapshot) ? snapshot : null).OfType<SnapshotTag>().ToLookup(snapshot => snapshot.ShortSha);
        return commits.Select(sha => snapshots[sha[..7]].FirstOrDefault()).OfType<SnapshotTag>().FirstOrDefault();
    }

    public override string ToString() => $"{Version}-SNAPSHOT-{ShortSha}";
}
