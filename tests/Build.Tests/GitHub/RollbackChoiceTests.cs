using Pipeline.GitHub;

namespace Pipeline.Tests.GitHub;

/// <summary>Where Rollback goes, from the ledger alone: the rules, each with its history. Fast tier.</summary>
[Parallelizable]
public sealed class RollbackChoiceTests
{
    private static long _ids = 1;

    /// <summary>A deployment of vVERSION whose statuses, oldest first, are STATES ("rolled back" stands for the mark).</summary>
    private static LedgerEntry Deployed(string version, string digest, params string[] states) => new(
        _ids++, "production", new string('a', 40), new DeployRecord($"public.ecr.aws/x/book-shop:v{version}", $"sha256:{digest}", version, $"{version}-SNAPSHOT-abc1234", null),
        DateTimeOffset.UnixEpoch,
        states.Reverse().Select(state => state == "rolled back" ? new LedgerStatus("failure", "rolled back to v0") : new LedgerStatus(state, "")).ToList());

    [Test]
    public void GoesBackFromTheCurrentReleaseToTheLastVerifiedOneBeforeIt()
    {
        // Newest first, as the ledger reads: 0.3.0 failed its verification, so 0.2.0 runs.
        var history = new[]
        {
            Deployed("0.3.0", "c", "in_progress", "failure"),
            Deployed("0.2.0", "b", "in_progress", "success"),
            Deployed("0.1.1", "a1", "in_progress", "failure"),
            Deployed("0.1.0", "a", "in_progress", "success", "inactive"),
        };

        var choice = RollbackChoice.Make(history, "production", to: null);

        Assert.That((choice.From!.Tag, choice.To!.Tag, choice.Reason), Is.EqualTo(("v0.2.0", "v0.1.0", "the last release verified in production before v0.2.0")));
    }

    [Test]
    public void NeverReturnsToAReleaseItWentBackFromNorToTheSameDigest()
    {
        // After a rollback from 0.2.0 to 0.1.0: 0.1.0 runs again; 0.2.0 is marked; the first 0.1.0 has the same digest.
        var history = new[]
        {
            Deployed("0.1.0", "a", "in_progress", "success"),
            Deployed("0.2.0", "b", "in_progress", "success", "inactive", "rolled back"),
            Deployed("0.1.0", "a", "in_progress", "success", "inactive"),
        };

        var refused = Assert.Throws<BuildInputException>(() => RollbackChoice.Make(history, "production", to: null));

        Assert.That(refused!.Message, Is.EqualTo("The ledger has no release verified in production before v0.1.0 (sha256:a) that was not rolled back from: there is nothing earlier to go to; name one with --to."));
    }

    [Test]
    public void ToPicksAVerifiedReleaseAndSaysNothingToDoForTheCurrentOne()
    {
        var history = new[]
        {
            Deployed("0.2.0", "b", "in_progress", "success"),
            Deployed("0.1.0", "a", "in_progress", "success", "inactive"),
        };

        Assert.That(RollbackChoice.Make(history, "production", "v0.1.0").To!.Tag, Is.EqualTo("v0.1.0"));
        Assert.That(RollbackChoice.Make(history, "production", "v0.2.0").NothingToDo, Is.EqualTo("production already runs v0.2.0 (sha256:b)."));
        Assert.That(Assert.Throws<BuildInputException>(() => RollbackChoice.Make(history, "production", "v0.0.9"))!.Message,
            Does.StartWith("The ledger has no verified deployment of v0.0.9 to production"));
    }

    [Test]
    public void AnEnvironmentNeverVerifiedHasNothingToRollBackFrom()
    {
        var history = new[] { Deployed("0.1.0", "a", "in_progress", "failure") };

        Assert.That(Assert.Throws<BuildInputException>(() => RollbackChoice.Make(history, "production", to: null))!.Message,
            Is.EqualTo("The ledger has no verified deployment to production: there is nothing to roll back from."));
    }
}
