using Pipeline.Tests.Support;
using Pipeline.Versioning;

namespace Pipeline.Tests.Versioning;

/// <summary>
/// Which snapshot lends Build its layers: that of the nearest earlier commit on the branch, read
/// from a real git repository's first-parent history.
/// </summary>
public sealed class PreviousSnapshotTests
{
    [Test]
    public void TheNearestEarlierCommitWithASnapshotWins()
    {
        using var repository = new TempGitRepository();
        repository.Write("a.txt", "1");
        var oldest = repository.Commit();
        repository.Write("a.txt", "2");
        var middle = repository.Commit();
        repository.Write("a.txt", "3");
        var unbuilt = repository.Commit();
        repository.Write("a.txt", "4");
        var head = repository.Commit();

        var commit = SourceCommit.ReadHead(repository.Root);
        Assert.That(commit.EarlierCommits, Is.EqualTo(new[] { unbuilt, middle, oldest }), "first parents, nearest first, HEAD not among them");

        string[] tags = [$"0.1.0-SNAPSHOT-{oldest[..7]}", $"0.2.0-SNAPSHOT-{middle[..7]}", $"0.3.0-SNAPSHOT-{head[..7]}", "v0.1.0", "latest"];
        Assert.That(SnapshotTag.OfNearest(commit.EarlierCommits, tags)?.ToString(), Is.EqualTo($"0.2.0-SNAPSHOT-{middle[..7]}"));
        Assert.That(SnapshotTag.OfNearest(commit.EarlierCommits, ["v0.1.0", $"0.3.0-SNAPSHOT-{head[..7]}"]), Is.Null, "HEAD's own snapshot is not an earlier one");
    }

    [Test]
    public void AFirstCommitHasNoEarlierCommits()
    {
        using var repository = new TempGitRepository();
        repository.Write("a.txt", "1");
        repository.Commit();

        Assert.That(SourceCommit.ReadHead(repository.Root).EarlierCommits, Is.Empty);
    }

    [Test]
    public void AShallowCloneEndsWhereItsHistoryDoes()
    {
        using var origin = new TempGitRepository();
        for (var change = 0; change < 4; change++)
        {
            origin.Write("a.txt", change.ToString());
            origin.Commit();
        }
        using var clone = new TempGitRepository(init: false);
        var cloned = Command.Run("git", ["clone", "--quiet", "--depth", "2", $"file://{origin.Root}", clone.Root]);
        Assert.That(cloned.ExitCode, Is.Zero, cloned.Error);

        Assert.That(SourceCommit.ReadHead(clone.Root).EarlierCommits, Has.Count.EqualTo(1));
    }
}
