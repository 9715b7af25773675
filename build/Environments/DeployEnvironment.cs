using Pipeline.Registry;
using Pipeline.Remote;
using Pipeline.Settings;
using Pipeline.Versioning;

namespace Pipeline.Environments;

/// <summary>
/// An image to run in an environment, by digest, and what it must serve once it runs: its version
/// and commit on /version. The deploy steps take this, never the run's promotion or Dev's facts.
/// </summary>
public sealed record DeployableImage(ImageReference Reference, ImageDigest Digest, ReleaseVersion Version, string Commit)
{
    /// <summary>How messages name it: its tag (v1.2.0, or 1.2.0-SNAPSHOT-abc1234).</summary>
    public string Label => Reference.Tag;
}

/// <summary>
/// Where a deploy goes: `dev` and `production`, which every repository has, or one declared in
/// environments.toml. Each kind of environment (how it is reached, deployed to and verified) is
/// one class in this folder, found by its [EnvironmentKind] name; the tasks only call
/// <see cref="Deploy"/>.
/// </summary>
public abstract class DeployEnvironment(string name, string? url)
{
    public string Name { get; } = name;

    /// <summary>Where its users reach it (the run's summary links it); null when it is not known.</summary>
    public string? Url { get; } = url;

    /// <summary>The kind's name, as environments.toml spells it.</summary>
    public string Kind => EnvironmentKinds.NameOf(GetType());

    /// <summary>The SSH connection it is reached through, opened ahead while the image builds; null when there is none.</summary>
    public virtual SshConnection? Connection => null;

    /// <summary>
    /// Runs the image there and verifies that it serves its version and commit from that digest;
    /// a deploy that does not verify is undone where the kind can, and fails with one line.
    /// Returns what now runs there, for the run's summary.
    /// </summary>
    public abstract Task<string> Deploy(BuildContext context, DeployableImage image);

    /// <summary>What it runs now, read without changing anything (a dry run plans the read and assumes nothing runs).</summary>
    public abstract Task<RunningNow> WhatRunsNow(BuildContext context);
}

/// <summary>
/// What an environment runs now: the images by digest (repository@sha256:..., one per container
/// or pod), and what its /version answered (null: nothing answered).
/// </summary>
public sealed record RunningNow(IReadOnlyList<string> Digests, string? Answer)
{
    public override string ToString() => ImagesOr("nothing") + (Answer is null ? "" : $", answering {Answer}");

    /// <summary>Whether every container or pod runs this image (repository@digest), and something runs.</summary>
    public bool RunsOnly(string image) => Digests.Count > 0 && Digests.All(digest => digest == image);

    /// <summary>The images that run, each once, or <paramref name="none"/> when none does.</summary>
    public string ImagesOr(string none) => Digests.Count == 0 ? none : string.Join(", ", Digests.Distinct());

    /// <summary>Why this is not the image, serving its version and commit; nothing when it is.</summary>
    public IReadOnlyList<string> Problems(DeployableImage image)
    {
        var problems = new List<string>();
        var want = $"{image.Reference.Repository}@{image.Digest}";
        if (!RunsOnly(want))
        {
            problems.Add($"it runs {ImagesOr("no image of a registry")}, not {want}");
        }
        if (Answer is null || !Answer.Contains($"\"version\": \"{image.Version}\"", StringComparison.Ordinal) || !Answer.Contains($"\"commit\": \"{image.Commit}\"", StringComparison.Ordinal))
        {
            problems.Add($"its /version answers {Answer ?? "nothing"}, not {image.Version} ({image.Commit[..7]})");
        }
        return problems;
    }
}

/// <summary>Names a kind of environment: the `kind` of environments.toml.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class EnvironmentKindAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>A task that deploys, and where it deploys when --environment does not say.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class DeploysToAttribute(string environment) : Attribute
{
    public string Environment { get; } = environment;
}
