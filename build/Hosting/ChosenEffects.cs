using Cake.Core;
using Pipeline.Effects;

namespace Pipeline.Hosting;

/// <summary>
/// The effects layer, chosen at its first use (in Setup, after the host has chosen its script
/// host): printed actions for a plan, performed ones for a real run.
/// </summary>
public sealed class ChosenEffects(RunMode mode, ICakeContext context) : IEffects
{
    private IEffects? _chosen;

    private IEffects Chosen => _chosen ??= mode.IsPlan ? new PlannedEffects(context.Log) : new LiveEffects(context);

    public bool IsDryRun => Chosen.IsDryRun;

    public IReadOnlyList<string> Performed => Chosen.Performed;

    public Task<TResult> Perform<TResult>(Effect<TResult> effect) => Chosen.Perform(effect);
}
