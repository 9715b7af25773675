using Cake.Core;
using Cake.Core.IO;
using Cake.Frosting;
using Pipeline.Effects;
using Pipeline.Settings;
using Cake.Core.Diagnostics;

namespace Pipeline.Tests.Host;

// Tasks that exist only in the tests, to exercise the host's graph and its dry run with a
// known side effect. They are found because the tests add this assembly to the host.

[TaskName("ProbeStart")]
public sealed class ProbeStart : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) { }
}

[TaskName("ProbeBefore")]
[IsDependeeOf(typeof(ProbeMiddle))]
public sealed class ProbeBefore : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) { }
}

[TaskName("ProbeMiddle")]
[IsDependentOn(typeof(ProbeStart))]
public sealed class ProbeMiddle : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) { }
}

// Frosting's way to say why a task is skipped is IFrostingTask.SkippedMessage; a task that
// derives from FrostingTask<T> implements the interface again to give its own.
[TaskName("ProbeSkipped")]
[IsDependentOn(typeof(ProbeMiddle))]
public sealed class ProbeSkipped : FrostingTask<BuildContext>, IFrostingTask
{
    string IFrostingTask.SkippedMessage => "the probe is told to skip";
    public override bool ShouldRun(BuildContext context) => false;
    public override void Run(BuildContext context) => throw new InvalidOperationException("must not run");
}

[TaskName("ProbeTarget")]
[TaskDescription("The probe graph's target.")]
[IsDependentOn(typeof(ProbeSkipped))]
public sealed class ProbeTarget : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) { }
}

/// <summary>One side effect with a secret argument and a secret on standard input.</summary>
[TaskName("ProbeTouch")]
public sealed class ProbeTouch : AsyncFrostingTask<BuildContext>
{
    public const string ArgumentSecret = "arg-s3cr3t-8842";
    public const string InputSecret = "stdin-s3cr3t-1197";

    public override async Task RunAsync(BuildContext context)
    {
        var arguments = new ProcessArgumentBuilder();
        arguments.AppendQuoted(System.IO.Path.Combine(context.RepositoryRoot, "marker"));
        arguments.AppendSecret(ArgumentSecret);
        await context.Effects.Perform(new RunProcess("touch", arguments) { StandardInput = InputSecret });
    }
}

/// <summary>
/// A task with settings of its own, declared only here: the up-front check, masking, --help and
/// the dry run's list must all follow from this one declaration.
/// </summary>
[TaskName("ProbeSettings")]
[Uses(nameof(ProbeLevel), nameof(ProbeToken))]
public sealed class ProbeSettings : FrostingTask<BuildContext>
{
    public static readonly Setting ProbeLevel = new("probe-level", "PROBE_LEVEL", "required: low or high")
    {
        IsRequired = true,
        Check = text => { if (text is not ("low" or "high")) throw new FormatException("is not low or high"); },
    };

    public static readonly Setting ProbeToken = Setting.Secret("PROBE_TOKEN", "none (secret)");

    public override void Run(BuildContext context) =>
        context.Log.Information("probe level {0}", context.Settings.Value(ProbeLevel));
}
