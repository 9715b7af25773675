using LibGit2Sharp;

namespace Pipeline.Versioning;

/// <summary>
/// The commit the build is made from, whether the working tree still matches it, and the commits
/// before it on its branch (first parents, nearest first): the newest of them with a snapshot in
/// the registry lends the build its layers.
/// </summary>
public sealed record SourceCommit(string Sha, DateTimeOffset CommittedAt, IReadOnlyList<string> UncommittedPaths, IReadOnlyList<string> EarlierCommits)
{
    /// <summary>How far back the build looks for a snapshot to reuse layers from.</summary>
    public const int EarlierCommitsLooked = 50;

    public string ShortSha => Sha[..7];

    public bool IsDirty => UncommittedPaths.Count > 0;

    public static SourceCommit ReadHead(string directory)
    {
        var gitDirectory = Repository.Discover(directory)
            ?? throw new BuildInputException($"{directory} is not inside a git repository: the snapshot tag names a commit; run the build from a clone.");

        using var repository = new Repository(gitDirectory);
        var tip = repository.Head.Tip
            ?? throw new BuildInputException("The git repository has no commit yet: the snapshot tag names a commit; commit first.");

        var status = repository.RetrieveStatus(new StatusOptions { IncludeUntracked = true, RecurseUntrackedDirs = true });
        var uncommitted = status.Where(entry => entry.State != FileStatus.Ignored && entry.State != FileStatus.Unaltered)
            .Select(entry => entry.FilePath)
            .Order(StringComparer.Ordinal)
            .ToList();
        // A shallow clone ends where its history does: fewer earlier commits, not an error.
        var earlier = new List<string>();
        for (var commit = FirstParent(tip); commit is not null && earlier.Count < EarlierCommitsLooked; commit = FirstParent(commit))
        {
            earlier.Add(commit.Sha);
        }
        return new SourceCommit(tip.Sha, tip.Committer.When, uncommitted, earlier);
    }

    // A clone whose history was cut without shallow markers lacks the parent object itself.
    private static Commit? FirstParent(Commit commit)
    {
        try
        {
            return commit.Parents.FirstOrDefault();
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }
}
