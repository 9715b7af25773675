using Cake.Common.Diagnostics;

namespace Pipeline.Versioning;

/// <summary>
/// The version from pyproject.toml, HEAD's commit and the snapshot tag they make: what ReadVersion
/// reads, and what a task run alone with --exclusive has read for it before it starts.
/// </summary>
public static class VersionOfHead
{
    public static BuildVersion Read(BuildContext context)
    {
        var version = PyProject.ReadVersion(Path.Combine(context.RepositoryRoot, PyProject.FileName));
        var commit = SourceCommit.ReadHead(context.RepositoryRoot);
        if (commit.IsDirty)
        {
            var message = DirtyTreeMessage(commit);
            if (context.Settings.IsCi) throw new BuildInputException(message);
            context.Warning(message);
        }

        var snapshot = SnapshotTag.For(version, commit);
        context.Information("Version {0}, commit {1}, snapshot tag {2}", version, commit.Sha, snapshot);
        return new BuildVersion(version, commit, snapshot);
    }

    private static string DirtyTreeMessage(SourceCommit commit)
    {
        var shown = string.Join(", ", commit.UncommittedPaths.Take(3));
        var more = commit.UncommittedPaths.Count > 3 ? $" and {commit.UncommittedPaths.Count - 3} more" : "";
        return $"The working tree has uncommitted changes ({shown}{more}): an image built now would not match commit {commit.ShortSha} in its tag. Commit or stash them (with CI=true this is an error).";
    }
}
