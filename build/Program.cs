using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;
using Pipeline;
using Pipeline.Effects;

return BuildHost.Create().Run(args);

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
                .ConfigureServices(services => services.AddSingleton<IEffects>(provider =>
                    provider.GetRequiredService<ICakeArguments>().HasArgument(Settings.Settings.DryRunArgument)
                        ? new PlannedEffects(provider.GetRequiredService<ICakeLog>())
                        : new LiveEffects(provider.GetRequiredService<ICakeContext>())));
    }
}
