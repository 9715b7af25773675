using Cake.Cli;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;

namespace Pipeline.Hosting;

/// <summary>
/// Cake's dry run (<c>--dryrun</c>, <c>--noop</c>, <c>--whatif</c>) only lists task names. This
/// pipeline's dry run runs every task through the effects layer, which prints each action instead
/// of performing it, so the plan shows the real version, tag and commands. Frosting runs its dry
/// run on this service; the pipeline puts this host in its place.
/// </summary>
public sealed class PlanningDryRunHost : DryRunScriptHost<IFrostingContext>
{
    private readonly BuildScriptHost<IFrostingContext> _run;

    public PlanningDryRunHost(RunMode mode, ICakeEngine engine, IFrostingContext context, ICakeLog log, BuildScriptHost<IFrostingContext> run)
        : base(engine, context, log)
    {
        mode.RequestPlan();
        _run = run;
    }

    public override Task<CakeReport> RunTargetAsync(string target) => RunTargetsAsync([target]);

    public override Task<CakeReport> RunTargetsAsync(IEnumerable<string> targets)
    {
        if (Settings.Exclusive)
        {
            _run.Settings.UseExclusiveTarget();
        }
        return _run.RunTargetsAsync(targets);
    }
}
