namespace Pipeline.GitHub;

/// <summary>
/// Where Rollback goes, from the environment's ledger alone: from the deployment it runs now (the
/// newest verified one that was not rolled back from) to the last one verified before it with
/// another digest, never one rolled back from; or to the one --to names. Or nothing to do.
/// </summary>
public sealed record RollbackChoice(LedgerEntry? From, LedgerEntry? To, string Reason, string? NothingToDo)
{
    public static RollbackChoice Make(IReadOnlyList<LedgerEntry> history, string environment, string? to)
    {
        var current = history.FirstOrDefault(entry => entry.Verified && !entry.RolledBack)
            ?? throw new BuildInputException($"The ledger has no verified deployment to {environment}: there is nothing to roll back from.");
        if (to is not null)
        {
            if (Names(current, to)) return new(current, null, "", $"{environment} already runs {to} ({current.Record.Digest}).");
            var chosen = history.FirstOrDefault(entry => entry.Verified && Names(entry, to))
                ?? throw new BuildInputException($"The ledger has no verified deployment of {to} to {environment}: pick one it has (GitHub: the repository's deployments), or leave --to out.");
            return new(current, chosen, $"{to}, as --to says", null);
        }
        var earlier = history.SkipWhile(entry => entry != current).Skip(1)
            .FirstOrDefault(entry => entry.Verified && !entry.RolledBack && entry.Record.Digest != current.Record.Digest)
            ?? throw new BuildInputException($"The ledger has no release verified in {environment} before {current.Tag} ({current.Record.Digest}) that was not rolled back from: there is nothing earlier to go to; name one with --to.");
        return new(current, earlier, $"the last release verified in {environment} before {current.Tag}", null);
    }

    /// <summary>--to names a deployment by its release tag (vX.Y.Z, the image's tag) or its snapshot tag.</summary>
    private static bool Names(LedgerEntry entry, string to) => entry.Tag == to || entry.Record.SnapshotTag == to;
}
