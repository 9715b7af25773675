using Cake.Common.Diagnostics;
using Cake.Frosting;
using Pipeline.Versioning;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.ReadVersion)]
[Uses(nameof(S.Ci))]
[TaskDescription("Reads the version from pyproject.toml and HEAD's commit; makes the snapshot tag X.Y.Z-SNAPSHOT-<sha7>.")]
public sealed class ReadVersion : PipelineTask
{
    public override void Run(BuildContext context)
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
        context.UseVersion(new BuildVersion(version, commit, snapshot));
        context.Information("Version {0}, commit {1}, snapshot tag {2}", version, commit.Sha, snapshot);
    }

    private static string DirtyTreeMessage(SourceCommit commit)
    {
        var shown = string.Join(", ", commit.UncommittedPaths.Take(3));
        var more = commit.UncommittedPaths.Count > 3 ? $" and {commit.UncommittedPaths.Count - 3} more" : "";
        return $"The working tree has uncommitted changes ({shown}{more}): an image built now would not match commit {commit.ShortSha} in its tag. Commit or stash them (with CI=true this is an error).";
    }
}
