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

    /// <summary>Whether the target runs alone (--exclusive): the host tells, when it starts the target.</summary>
    public bool IsExclusive { get; private set; }

    public void RunExclusive() => IsExclusive = true;

    public void RequestPlan()
    {
        if (_isPlan == false)
        {
            throw new InvalidOperationException("The dry run was chosen after the run had started for real; nothing more is done.");
        }
        _planRequested = true;
    }
}

