using Cake.Cli;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;
using Pipeline;
using Pipeline.Effects;
using Pipeline.Hosting;

// --help is this tool's own: targets, dry run and settings, not the Cake host's generic options.
if (Pipeline.Settings.SettingsHelp.IsRequested(args))
{
    Console.Write(Pipeline.Settings.SettingsHelp.Usage(Pipeline.Settings.SettingsCatalog.OfAssemblies(typeof(BuildHost).Assembly)));
    return 0;
}
return BuildHost.Create().Run(Pipeline.Settings.CommandLine.InHostSpelling(args));

namespace Pipeline
{
    /// <summary>Wires the host; the tests start the same host with their own services on top.</summary>
    public static class BuildHost
    {
        public static CakeHost Create() =>
            WithTasksOf(CakeHost.Create(), typeof(BuildHost).Assembly)
                .UseContext<BuildContext>()
                .UseLifetime<BuildLifetime>()
                .UseTaskLifetime<GitHubActionsGroups>()
                .ConfigureServices(services => services
                    // Every line the run logs passes the secret scrubber, error lines included.
                    .AddSingleton<ICakeLog>(provider => new Settings.ScrubbingLog(provider.GetRequiredService<IConsole>()))
                    // The dry run prints the plan: every spelling runs the tasks, and the effects
                    // layer prints each action instead of performing it (README: Dry run).
                    .AddSingleton<RunMode>()
                    .AddSingleton<DryRunScriptHost<IFrostingContext>, PlanningDryRunHost>()
                    .AddSingleton<IEffects, ChosenEffects>()
                    // Without a target the targets are listed (README: Targets).
                    .AddSingleton<BuildScriptHost<IFrostingContext>, TargetListingHost>()
                    .AddSingleton<Http.PipelineHttp>()
                    .AddSingleton<Registry.RegistryAccess>()
                    .AddSingleton<Signing.ImageSignatures>());

        // Frosting finds the tasks of the program it runs in; the tests run this host from theirs.
        private static CakeHost WithTasksOf(CakeHost host, System.Reflection.Assembly assembly) =>
            System.Reflection.Assembly.GetEntryAssembly() == assembly ? host : host.AddAssembly(assembly);
    }
}
