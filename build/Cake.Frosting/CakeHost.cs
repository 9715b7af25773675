using System.Reflection;
using Cake.Cli;
using Cake.Common.Modules;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Modules;
using Cake.Core.Packaging;
using Cake.DotNetTool.Module;
using Cake.Frosting.Internal;
using Cake.NuGet;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Cake.Frosting;

/// <summary>
/// The Frosting host: finds the tasks, parses the command line as Cake does, and runs the
/// targets on Cake's engine. Every service below can be replaced through ConfigureServices.
/// </summary>
public sealed class CakeHost
{
    private readonly IServiceCollection _services;
    private readonly List<Assembly> _assemblies;
    private readonly int _packageInstallersAt;

    public CakeHost()
    {
        (_services, _packageInstallersAt) = CreateServiceCollection();
        _assemblies = [Assembly.GetEntryAssembly()];
    }

    public static CakeHost Create() => new();

    /// <summary>Looks for tasks in <paramref name="assembly"/> too (the entry assembly always counts).</summary>
    public CakeHost AddAssembly(Assembly assembly)
    {
        _assemblies.Add(assembly);
        return this;
    }

    public CakeHost ConfigureServices(Action<IServiceCollection> services)
    {
        services(_services);
        return this;
    }

    public int Run(IEnumerable<string> args)
    {
        RegisterPackageInstallersIfToolsAreWanted();
        foreach (var task in FindTasks(_assemblies))
        {
            _services.AddSingleton(typeof(IFrostingTask), task);
        }

        var registrar = new Cake.Cli.TypeRegistrar();
        registrar.RegisterInstance(typeof(IServiceCollection), _services);
        var app = new CommandApp<DefaultCommand>(registrar);
        app.Configure(config =>
        {
            config.ValidateExamples();
            config.AddExample([]);
            config.AddExample("--verbosity", "quiet");
            config.AddExample("--tree");
        });
        return app.Run(args);
    }

    private static (IServiceCollection Services, int PackageInstallersAt) CreateServiceCollection()
    {
        var services = new ServiceCollection();

        // The log, the console and the report printer, as Cake 7 registers them.
        services.AddCakeDiagnostics();
        services.AddSingleton<ICakeConfiguration, FrostingConfiguration>();

        services.AddSingleton<BuildScriptHost<IFrostingContext>>();
        services.AddSingleton<DryRunScriptHost<IFrostingContext>>();
        services.AddSingleton<TreeScriptHost>();
        services.AddSingleton<DescriptionScriptHost>();

        services.AddSingleton<IVersionResolver, VersionResolver>();
        services.AddSingleton<VersionFeature>();
        services.AddSingleton<InfoFeature>();

        services.AddSingleton<FrostingEngine<BuildScriptHost<IFrostingContext>>>();
        services.AddSingleton<FrostingEngine<DryRunScriptHost<IFrostingContext>>>();
        services.AddSingleton<FrostingEngine<TreeScriptHost>>();
        services.AddSingleton<FrostingEngine<DescriptionScriptHost>>();

        services.AddSingleton<IToolInstaller, ToolInstaller>();

        services.UseModule<CoreModule>();
        services.UseModule<CommonModule>();
        var packageInstallersAt = services.Count;

        services.AddSingleton<FrostingContext>();
        services.AddSingleton<IFrostingContext>(provider => provider.GetService<FrostingContext>());

        return (services, packageInstallersAt);
    }

    // NuGet's and dotnet's package installers serve only InstallTool, and registering NuGet's
    // loads six NuGet assemblies (a tenth of a warm start). So they are registered only when a
    // tool is to be installed, at the place the package registers them, so that what the build
    // registers itself still comes later and wins.
    private void RegisterPackageInstallersIfToolsAreWanted()
    {
        if (!_services.Any(service => service.ServiceType == typeof(PackageReference)))
        {
            return;
        }
        var installers = new ServiceCollection();
        installers.UseModule<NuGetModule>();
        installers.UseModule<DotNetToolModule>();
        for (var index = 0; index < installers.Count; index++)
        {
            _services.Insert(_packageInstallersAt + index, installers[index]);
        }
    }

    // Public, concrete task classes only: a helper or a half-written task that is not public
    // stays out of the graph. An assembly added twice (the entry assembly again) gives its tasks
    // twice, and Cake refuses the second of each, as with the package.
    private static IEnumerable<Type> FindTasks(IEnumerable<Assembly> assemblies) =>
        assemblies.Where(assembly => assembly is not null)
            .SelectMany(assembly => assembly.GetExportedTypes())
            .Where(type => typeof(IFrostingTask).IsAssignableFrom(type) && type.IsClass && !type.IsAbstract);
}
