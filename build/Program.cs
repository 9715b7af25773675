using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;
using Pipeline;
using Pipeline.Effects;

var exit = BuildHost.Create().Run(args);
if (Pipeline.Settings.SettingsHelp.IsRequested(args))
{
    Console.WriteLine(Pipeline.Settings.SettingsHelp.Render(Pipeline.Settings.SettingsCatalog.OfAssemblies(typeof(BuildHost).Assembly)));
}
return exit;

namespace Pipeline
{
    /// <summary>Wires the host; the tests start the same host with their own services on top.</summary>
    public static class BuildHost
    {
        public static CakeHost Create() =>
            new CakeHost()
                .AddAssembly(typeof(BuildHost).Assembly)
                .UseContext<BuildContext>()
                .UseLifetime<BuildLifetime>()
                .UseTaskLifetime<GitHubActionsGroups>()
                .ConfigureServices(services => services
                    // Every line the run logs passes the secret scrubber, error lines included.
                    .AddSingleton<ICakeLog>(provider => new Settings.ScrubbingLog(provider.GetRequiredService<IConsole>()))
                    .AddSingleton<IEffects>(provider =>
                        Settings.CommandLine.IsDryRun(provider.GetRequiredService<ICakeArguments>())
                            ? new PlannedEffects(provider.GetRequiredService<ICakeLog>())
                            : new LiveEffects(provider.GetRequiredService<ICakeContext>()))
                    .AddSingleton<Http.PipelineHttp>()
                    .AddSingleton<Registry.RegistryAccess>());
    }
}
