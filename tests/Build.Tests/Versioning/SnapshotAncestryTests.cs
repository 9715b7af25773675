using Pipeline.Tests.Support;
using Pipeline.Versioning;

namespace Pipeline.Tests.Versioning;

/// <summary>Which snapshot main may release, in real git repositories.</summary>
public sealed class SnapshotAncestryTests
{
    // A record from another repository, or of a commit a shallow clone lacks: its full SHA is unknown here.
    [Test]
    public void ARecordsCommitThatTheCloneLacksIsRefusedWithWhatToFetch()
    {
        using var repository = TempGitRepository.OfVersion("1.2.0");
        const string elsewhere = "0123456789abcdef0123456789abcdef01234567";

        var refused = Assert.Throws<BuildInputException>(() => SnapshotAncestry.Check(repository.Root, elsewhere));

        Assert.That(refused!.Message, Is.EqualTo(
            $"The snapshot's commit {elsewhere} is not in this repository: fetch the full history (actions/checkout with fetch-depth: 0) and check that dev was merged."));
    }

    [Test]
    public void HeadsOwnCommitMayBeReleased()
    {
        using var repository = TempGitRepository.OfVersion("1.2.0");
        var head = new LibGit2Sharp.Repository(repository.Root).Head.Tip.Sha;

        Assert.DoesNotThrow(() => SnapshotAncestry.Check(repository.Root, head));
    }
}
