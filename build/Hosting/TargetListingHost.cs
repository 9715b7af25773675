using Cake.Cli;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Frosting;

namespace Pipeline.Hosting;

/// <summary>
/// Without <c>--target</c>, Frosting runs "Default". The pipeline has no such task: a run without a
/// target lists the targets with their descriptions instead, and runs nothing. Every other target
/// runs as Cake's build host runs it.
/// </summary>
public sealed class TargetListingHost(
    ICakeEngine engine, IExecutionStrategy strategy, IFrostingContext context, ICakeReportPrinter printer, ICakeConfiguration configuration, ICakeLog log,
    DescriptionScriptHost listing, RunMode mode)
    : BuildScriptHost<IFrostingContext>(engine, strategy, context, printer, configuration, log)
{
    public const string DefaultTarget = "Default";

    public override Task<CakeReport> RunTargetAsync(string target) => RunTargetsAsync([target]);

    public override Task<CakeReport> RunTargetsAsync(IEnumerable<string> targets)
    {
        var names = targets.ToList();
        if (Settings.Exclusive) mode.RunExclusive();
        if (names is [DefaultTarget] && !Tasks.Any(task => task.Name == DefaultTarget))
        {
            Context.Log.Information("No target given. Run one with --target=<name>; add --dry-run to see its plan first.");
            return listing.RunTargetsAsync(names);
        }
        return base.RunTargetsAsync(names);
    }
}
