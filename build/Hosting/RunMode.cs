using Cake.Core;

namespace Pipeline.Hosting;

/// <summary>
/// Whether this run prints a plan or acts, decided once. <c>--dry-run</c> reaches the pipeline as an
/// argument; Cake's own spellings (<c>--dryrun</c>, <c>--noop</c>, <c>--whatif</c>) are options of the
/// host, which tells the pipeline by choosing <see cref="PlanningDryRunHost"/>. A plan asked for
/// after the mode was read would come too late to stop a real run, so it fails instead.
/// </summary>
public sealed class RunMode(ICakeArguments arguments)
{
    private bool _planRequested;
    private bool? _isPlan;

    public bool IsPlan => _isPlan ??= _planRequested || Settings.CommandLine.IsDryRun(arguments);

    public void RequestPlan()
    {
        if (_isPlan == false)
        {
            throw new InvalidOperationException("The dry run was chosen after the run had started for real; nothing more is done.");
        }
        _planRequested = true;
    }
}

/// <summary>
/// The effects layer, chosen at its first use (in Setup, after the host has chosen its script
/// host): printed actions for a plan, performed ones for a real run.
/// </summary>
public sealed class ChosenEffects(RunMode mode, ICakeContext context) : Effects.IEffects
{
    private Effects.IEffects? _chosen;

    private Effects.IEffects Chosen => _chosen ??= mode.IsPlan ? new Effects.PlannedEffects(context.Log) : new Effects.LiveEffects(context);

    public bool IsDryRun => Chosen.IsDryRun;

    public IReadOnlyList<string> Performed => Chosen.Performed;

    public Task<TResult> Perform<TResult>(Effects.Effect<TResult> effect) => Chosen.Perform(effect);
}
