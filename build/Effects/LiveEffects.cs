using Cake.Core;
using Cake.Core.Diagnostics;

namespace Pipeline.Effects;

/// <summary>A real run: each action is logged as the plan would print it, then executed.</summary>
public sealed class LiveEffects(ICakeContext context) : IEffects
{
    private readonly List<string> _performed = [];

    public bool IsDryRun => false;

    public IReadOnlyList<string> Performed => _performed;

    public async Task<TResult> Perform<TResult>(Effect<TResult> effect)
    {
        var description = effect.Describe();
        _performed.Add(description);
        context.Log.Information("> {0}", description);
        return await effect.ExecuteAsync(context);
    }
}

/// <summary>A dry run: each action is printed exactly and nothing is executed.</summary>
public sealed class PlannedEffects(ICakeLog log) : IEffects
{
    public const string Prefix = "[dry-run] would run: ";
    private readonly List<string> _planned = [];

    public bool IsDryRun => true;

    public IReadOnlyList<string> Performed => _planned;

    public Task<TResult> Perform<TResult>(Effect<TResult> effect)
    {
        var description = effect.Describe();
        _planned.Add(description);
        log.Information("{0}{1}", Prefix, description);
        return Task.FromResult(effect.Planned);
    }
}
