using System.ComponentModel;
using Cake.Cli;
using Cake.Cli.Infrastructure;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.Scripting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Cake.Frosting;

/// <summary>The options of a Frosting host; every other <c>--name=value</c> goes to ICakeArguments.</summary>
internal sealed class HostSettings : CommandSettings
{
    [CommandOption("-t|--target <TARGET>")]
    [Description("The target to run. Without one, the targets are listed.")]
    public string? Target { get; init; }

    [CommandOption("-v|--verbosity <VERBOSITY>")]
    [Description("quiet, minimal, normal, verbose or diagnostic.")]
    [TypeConverter(typeof(VerbosityConverter))]
    public Verbosity Verbosity { get; init; } = Verbosity.Normal;

    [CommandOption("--dryrun|--noop|--whatif")]
    [Description("Print the plan and change nothing (also --dry-run).")]
    public bool DryRun { get; init; }

    [CommandOption("--tree")]
    [Description("Show the task graph.")]
    public bool Tree { get; init; }

    [CommandOption("--description|--descriptions")]
    [Description("List the tasks with their descriptions.")]
    public bool Description { get; init; }

    [CommandOption("-e|--exclusive")]
    [Description("Run the target alone, without its dependencies.")]
    public bool Exclusive { get; init; }

    [CommandOption("--version")]
    [Description("Show the Cake engine's version.")]
    public bool Version { get; init; }
}

internal sealed class HostCommand(IServiceCollection services) : Command<HostSettings>
{
    /// <summary>The argument every dry-run spelling is normalised to, for the build to read.</summary>
    public const string DryRunArgument = "dryrun";

    // Cake's parser does not know "--dry-run"; left alone it would be an ordinary argument
    // and the tasks would run for real. It is this project's users' spelling, so it counts.
    private static readonly string[] DryRunSpellings = ["dry-run", "dryrun", "noop", "whatif"];

    public override int Execute(CommandContext commandContext, HostSettings settings, CancellationToken cancellationToken)
    {
        var dryRun = settings.DryRun || DryRunSpellings.Any(name => IsSetFlag(commandContext.Remaining, name));
        var arguments = commandContext.Remaining.ToCakeArguments(
            settings.Target is null ? [] : [settings.Target],
            parsed =>
            {
                foreach (var key in parsed.Keys.Where(key => DryRunSpellings.Contains(key.Replace('_', '-'), StringComparer.OrdinalIgnoreCase)).ToList()) parsed.Remove(key);
                if (dryRun) parsed[DryRunArgument] = ["true"];
            });
        services.AddSingleton<ICakeArguments>(arguments);

        using var provider = services.BuildServiceProvider();
        var log = provider.GetRequiredService<ICakeLog>();
        log.Verbosity = settings.Verbosity;
        try
        {
            if (settings.Version)
            {
                log.Information("Cake engine {0}", typeof(ICakeEngine).Assembly.GetName().Version!);
                return 0;
            }

            if (provider.GetService<WorkingDirectory>() is { } workingDirectory)
            {
                var environment = provider.GetRequiredService<ICakeEnvironment>();
                environment.WorkingDirectory = workingDirectory.Path.MakeAbsolute(environment);
            }

            var engine = provider.GetRequiredService<ICakeEngine>();
            var context = provider.GetRequiredService<IFrostingContext>();
            TaskRegistration.Register(engine, context, provider.GetServices<IFrostingTask>(), log);
            LifetimeRegistration.Register(engine, context, provider);

            var (host, target) = ChooseHost(provider, settings, log);
            if (settings.Exclusive)
            {
                host.Settings.UseExclusiveTarget();
            }
            host.RunTargetAsync(target).GetAwaiter().GetResult();
            return 0;
        }
        catch (Exception exception)
        {
            return log.LogException(exception);
        }
    }

    private static (IScriptHost Host, string Target) ChooseHost(IServiceProvider provider, HostSettings settings, ICakeLog log)
    {
        if (settings.Tree)
        {
            return (provider.GetRequiredService<TreeScriptHost>(), settings.Target ?? "Default");
        }
        if (settings.Description || settings.Target is null)
        {
            if (settings.Target is null && !settings.Description)
            {
                log.Information("No target given. Run one with --target=<name>; add --dry-run to see its plan first.");
            }
            return (provider.GetRequiredService<DescriptionScriptHost>(), settings.Target ?? "Default");
        }
        return (provider.GetRequiredService<BuildScriptHost<IFrostingContext>>(), settings.Target);
    }

    // Cake matches argument names case-insensitively (and removes them so), so a spelling in any
    // case, or with '_' for '-', must count as asked: otherwise it would vanish and the run be real.
    private static bool IsSetFlag(IRemainingArguments remaining, string name) =>
        remaining.Parsed.Any(group =>
            string.Equals(group.Key.TrimStart('-').Replace('_', '-'), name, StringComparison.OrdinalIgnoreCase) &&
            group.All(value => value is null || !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase)));
}
