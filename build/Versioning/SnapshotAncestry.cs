using LibGit2Sharp;

namespace Pipeline.Versioning;

/// <summary>
/// Whether main may release a snapshot: its commit is HEAD or an ancestor of HEAD, and HEAD's
/// tree is the snapshot's tree, so that what is released is exactly what was built and tested.
/// </summary>
public static class SnapshotAncestry
{
    /// <summary>The full SHA of a snapshot's commit from a full SHA or its 7-character prefix.</summary>
    public static string Resolve(string repositoryRoot, string shaOrPrefix)
    {
        using var repository = new Repository(Repository.Discover(repositoryRoot));
        try
        {
            return (repository.Lookup<Commit>(shaOrPrefix) ?? throw NotHere(shaOrPrefix)).Sha;
        }
        catch (AmbiguousSpecificationException)
        {
            throw new BuildInputException($"The snapshot's commit prefix {shaOrPrefix} names more than one commit here: promote with --snapshot-file, whose record has the full commit.");
        }
    }

    private static BuildInputException NotHere(string sha) =>
        new($"The snapshot's commit {sha} is not in this repository: fetch the full history (actions/checkout with fetch-depth: 0) and check that dev was merged.");

    public static void Check(string repositoryRoot, string snapshotSha)
    {
        using var repository = new Repository(Repository.Discover(repositoryRoot));
        var head = repository.Head.Tip;
        // A record's commit may be one this clone lacks: a shallow clone, or a record of another repository.
        var snapshot = repository.Lookup<Commit>(snapshotSha) ?? throw NotHere(snapshotSha);

        if (repository.ObjectDatabase.FindMergeBase(snapshot, head)?.Sha != snapshot.Sha)
        {
            throw new BuildInputException($"The snapshot's commit {snapshot.Sha[..7]} is not HEAD ({head.Sha[..7]}) or one of its ancestors: merge the dev branch that built it before promoting, or promote a snapshot of this branch.");
        }

        if (snapshot.Tree.Sha != head.Tree.Sha)
        {
            var changed = repository.Diff.Compare<TreeChanges>(snapshot.Tree, head.Tree).Select(change => change.Path).Order(StringComparer.Ordinal).ToList();
            var shown = string.Join(", ", changed.Take(5)) + (changed.Count > 5 ? $" and {changed.Count - 5} more" : "");
            throw new BuildInputException($"HEAD ({head.Sha[..7]}) carries code the snapshot {snapshot.Sha[..7]} was not built from ({shown}): let dev build and test this code first, then promote its snapshot.");
        }
    }
}
