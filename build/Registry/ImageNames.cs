using System.Text.RegularExpressions;

namespace Pipeline.Registry;

/// <summary>The grammar of image references (distribution/reference), with classes written out.</summary>
public static partial class ImageGrammar
{
    private const string Component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private const string Domain = @"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:]+\])(?::[0-9]{1,5})?";

    [GeneratedRegex("^" + Domain + @"\z")]
    public static partial Regex Host();

    [GeneratedRegex("^" + Component + "(?:/" + Component + @")*\z")]
    public static partial Regex Path();

    [GeneratedRegex("^(?:" + Domain + "/)?" + Component + "(?:/" + Component + ")*" + @"(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(?:@sha256:[0-9a-f]{64})?\z")]
    public static partial Regex Reference();

    [GeneratedRegex(@"^sha256:[0-9a-f]{64}\z")]
    public static partial Regex Digest();
}

/// <summary>A registry and the namespace under it: "public.ecr.aws/abc1d2e3" or "127.0.0.1:5000".</summary>
public sealed record RegistryAddress(string Host, string? Namespace)
{
    public const string EcrPublicHost = "public.ecr.aws";

    public bool IsEcrPublic => string.Equals(Host, EcrPublicHost, StringComparison.OrdinalIgnoreCase);

    /// <summary>A dry run's stand-in for a registry that was not given (&lt;REGISTRY&gt;).</summary>
    public bool IsPlaceholder => Settings.Placeholders.IsPlaceholder(Host);

    public static RegistryAddress Parse(string text)
    {
        var slash = text.IndexOf('/');
        var host = slash < 0 ? text : text[..slash];
        var ns = slash < 0 ? null : text[(slash + 1)..];
        if (!ImageGrammar.Host().IsMatch(host) || (ns is not null && !ImageGrammar.Path().IsMatch(ns)))
        {
            throw new FormatException("is not a registry like public.ecr.aws/<alias> or host:port (lower-case path, no scheme)");
        }
        return new RegistryAddress(host, ns);
    }

    public override string ToString() => Namespace is null ? Host : $"{Host}/{Namespace}";
}

/// <summary>
/// An image's content digest, sha256:&lt;64 hex&gt;: what a tag names and what a release must keep.
/// A dry run that could not ask the registry carries a placeholder instead.
/// </summary>
public sealed record ImageDigest
{
    private ImageDigest(string value) => Value = value;

    public string Value { get; }

    public static ImageDigest Parse(string text) =>
        ImageGrammar.Digest().IsMatch(text) ? new ImageDigest(text) : throw new FormatException($"is not sha256:<64 lower-case hex>");

    public static ImageDigest Of(byte[] bytes) => new("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));

    public static ImageDigest Placeholder(string what) => new(Settings.Placeholders.For(what));

    public override string ToString() => Value;
}

/// <summary>
/// One tag of a repository: the typed image reference that flows through the pipeline. It becomes
/// a string only at the edge: a docker argument, a registry URL, a remote script, a log line.
/// </summary>
public sealed record ImageReference(ImageRepository Repository, string Tag)
{
    public override string ToString() => $"{Repository.Registry.Host}/{Repository.Path}:{Tag}";

    /// <summary>This tag pinned to the digest that was verified: what a cluster is given to run.</summary>
    public PinnedImage Pinned(ImageDigest digest) => new(this, digest);
}

/// <summary>
/// `registry/repository:tag@sha256:...`: a runtime pulls the digest and the tag only names it, so
/// what runs is what was verified even if the tag moved since (distribution/reference allows both).
/// A dry run's digest may be a placeholder.
/// </summary>
public sealed record PinnedImage(ImageReference Reference, ImageDigest Digest)
{
    public override string ToString() => $"{Reference}@{Digest}";
}

/// <summary>A repository in a registry; references to its tags are built here and nowhere else.</summary>
public sealed record ImageRepository(RegistryAddress Registry, string Name)
{
    /// <summary>The repository's path on the registry API: /v2/&lt;Path&gt;/manifests/...</summary>
    public string Path => Registry.Namespace is null ? Name : $"{Registry.Namespace}/{Name}";

    public ImageReference Reference(string tag) => new(this, tag);

    public ImageReference Reference(Versioning.SnapshotTag tag) => new(this, tag.ToString());

    public static string ParseName(string text) =>
        ImageGrammar.Path().IsMatch(text) && text.Length <= 205
            ? text
            : throw new FormatException("is not a repository name (lower-case letters, digits, '.', '_', '-', '/' between parts; at most 205 characters)");

    public override string ToString() => $"{Registry.Host}/{Path}";
}
