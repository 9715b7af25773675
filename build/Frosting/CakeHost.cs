// Stands in for the Cake.Frosting package, which is not served here (see README.md beside
// this file): the same builder, over the real Cake engine from Cake.Core and Cake.Cli.
using System.Reflection;
using Cake.Cli;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.IO;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Cake.Frosting;

public sealed class CakeHost
{
    private readonly ServiceCollection _services = CreateServices();
    private readonly List<Assembly> _assemblies = [];

    public CakeHost()
    {
        if (Assembly.GetEntryAssembly() is { } entry)
        {
            _assemblies.Add(entry);
        }
    }

    public CakeHost UseContext<TContext>() where TContext : class, IFrostingContext
    {
        _services.AddSingleton<IFrostingContext, TContext>();
        return this;
    }

    public CakeHost UseLifetime<TLifetime>() where TLifetime : class, IFrostingLifetime
    {
        _services.AddSingleton<IFrostingLifetime, TLifetime>();
        return this;
    }

    public CakeHost UseTaskLifetime<TLifetime>() where TLifetime : class, IFrostingTaskLifetime
    {
        _services.AddSingleton<IFrostingTaskLifetime, TLifetime>();
        return this;
    }

    public CakeHost UseWorkingDirectory(DirectoryPath path)
    {
        _services.AddSingleton(new WorkingDirectory(path));
        return this;
    }

    public CakeHost AddAssembly(Assembly assembly)
    {
        _assemblies.Add(assembly);
        return this;
    }

    public CakeHost ConfigureServices(Action<IServiceCollection> configure)
    {
        configure(_services);
        return this;
    }

    public int Run(IEnumerable<string> args)
    {
        foreach (var task in FindTasks())
        {
            _services.AddSingleton(typeof(IFrostingTask), task);
        }

        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(IServiceCollection), _services);
        var app = new CommandApp<HostCommand>(registrar);
        app.Configure(config =>
        {
            // "--registry=x" and friends are the build's own arguments, read through ICakeArguments.
            config.Settings.ConvertFlagsToRemainingArguments = true;
            config.Settings.ApplicationName = "build.sh";
        });
        return app.Run(args);
    }

    private IEnumerable<Type> FindTasks() =>
        _assemblies.Distinct()
            .SelectMany(assembly => assembly.GetTypes())
            .Where(type => typeof(IFrostingTask).IsAssignableFrom(type) && type is { IsClass: true, IsAbstract: false })
            .OrderBy(type => type.FullName, StringComparer.Ordinal);

    private static ServiceCollection CreateServices()
    {
        var services = new ServiceCollection();
        services.UseModule<Cake.Core.Modules.CoreModule>();
        services.UseModule<Cake.Common.Modules.CommonModule>();
        services.AddCakeDiagnostics();
        services.AddSingleton<ICakeConfiguration>(new CakeConfiguration(new Dictionary<string, string>()));
        services.AddSingleton<BuildScriptHost<IFrostingContext>>();
        services.AddSingleton<TreeScriptHost>();
        services.AddSingleton<DescriptionScriptHost>();
        services.AddSingleton<IFrostingContext, FrostingContext>();
        return services;
    }
}

public sealed record WorkingDirectory(DirectoryPath Path);
