using Cake.Core;

namespace Pipeline.Effects;

/// <summary>
/// One action on the world outside the process: a process started, an HTTP write, a remote
/// script, a file written outside artifacts/. The dry run prints <see cref="Describe"/> and
/// returns <see cref="Planned"/>; the real run logs the same text and calls ExecuteAsync.
/// </summary>
public abstract class Effect<TResult>
{
    /// <summary>The action exactly as it runs, with secrets as [REDACTED].</summary>
    public abstract string Describe();

    /// <summary>What the rest of a dry run assumes this action returned.</summary>
    public abstract TResult Planned { get; }

    public abstract Task<TResult> ExecuteAsync(ICakeContext context);
}

/// <summary>The one door to the outside world. Tasks and wrappers never act on it directly.</summary>
public interface IEffects
{
    bool IsDryRun { get; }

    /// <summary>The actions performed (or, in a dry run, planned) so far, as described.</summary>
    IReadOnlyList<string> Performed { get; }

    Task<TResult> Perform<TResult>(Effect<TResult> effect);
}
