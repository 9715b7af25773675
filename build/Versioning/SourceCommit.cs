using LibGit2Sharp;

namespace Pipeline.Versioning;

/// <summary>The commit the build is made from, and whether the working tree still matches it.</summary>
public sealed record SourceCommit(string Sha, DateTimeOffset CommittedAt, IReadOnlyList<string> UncommittedPaths)
{
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
        return new SourceCommit(tip.Sha, tip.Committer.When, uncommitted);
    }
}
