using Cake.Core.Composition;
using Cake.Core.IO;
using Cake.Core.Packaging;
using Cake.Frosting.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Cake.Frosting;

/// <summary>The host's configuration as registrations; the last registration of a kind wins.</summary>
public static class ServiceCollectionExtensions
{
    public static IServiceCollection UseContext<TContext>(this IServiceCollection services)
        where TContext : class, IFrostingContext
    {
        services.AddSingleton<IFrostingContext, TContext>();
        return services;
    }

    public static IServiceCollection UseLifetime<TLifetime>(this IServiceCollection services)
        where TLifetime : class, IFrostingLifetime
    {
        services.AddSingleton<IFrostingLifetime, TLifetime>();
        services.AddSingleton<IFrostingSetup>(provider => provider.GetRequiredService<IFrostingLifetime>());
        services.AddSingleton<IFrostingTeardown>(provider => provider.GetRequiredService<IFrostingLifetime>());
        return services;
    }

    public static IServiceCollection UseSetup<TSetup>(this IServiceCollection services)
        where TSetup : class, IFrostingSetup =>
        services.AddSingleton<IFrostingSetup, TSetup>();

    public static IServiceCollection UseTeardown<TTeardown>(this IServiceCollection services)
        where TTeardown : class, IFrostingTeardown =>
        services.AddSingleton<IFrostingTeardown, TTeardown>();

    public static IServiceCollection UseTaskLifetime<TLifetime>(this IServiceCollection services)
        where TLifetime : class, IFrostingTaskLifetime
    {
        services.AddSingleton<IFrostingTaskLifetime, TLifetime>();
        services.AddSingleton<IFrostingTaskSetup>(provider => provider.GetRequiredService<IFrostingTaskLifetime>());
        services.AddSingleton<IFrostingTaskTeardown>(provider => provider.GetRequiredService<IFrostingTaskLifetime>());
        return services;
    }

    public static IServiceCollection UseTaskSetup<TSetup>(this IServiceCollection services)
        where TSetup : class, IFrostingTaskSetup =>
        services.AddSingleton<IFrostingTaskSetup, TSetup>();

    public static IServiceCollection UseTaskTeardown<TTeardown>(this IServiceCollection services)
        where TTeardown : class, IFrostingTaskTeardown =>
        services.AddSingleton<IFrostingTaskTeardown, TTeardown>();

    /// <summary>Registers what a Cake module registers (Cake's own container contract, mapped onto this one).</summary>
    public static IServiceCollection UseModule<TModule>(this IServiceCollection services)
        where TModule : ICakeModule, new()
    {
        var adapter = new ServiceCollectionAdapter();
        new TModule().Register(adapter);
        adapter.Transfer(services);
        return services;
    }

    public static IServiceCollection UsePackageInstaller<TPackageInstaller>(this IServiceCollection services)
        where TPackageInstaller : class, IPackageInstaller
    {
        services.AddSingleton<IPackageInstaller, TPackageInstaller>();
        return services;
    }

    /// <summary>A tool to install before the first task, e.g. <c>nuget:?package=GitVersion.Tool&amp;version=6.0.0</c>.</summary>
    public static IServiceCollection UseTool(this IServiceCollection services, Uri uri)
    {
        services.AddSingleton(new PackageReference(uri.OriginalString));
        return services;
    }

    public static IServiceCollection UseWorkingDirectory(this IServiceCollection services, DirectoryPath path)
    {
        services.AddSingleton(new WorkingDirectory(path));
        return services;
    }

    /// <summary>A Cake setting, as <c>cake.config</c> or <c>--key=value</c> would give it; those two win over it.</summary>
    public static IServiceCollection UseCakeSetting(this IServiceCollection services, string key, string value)
    {
        services.AddSingleton(new FrostingConfigurationValue(key, value));
        return services;
    }

    public static IServiceCollection UseToolPath(this IServiceCollection services, DirectoryPath toolPath) =>
        services.UseCakeSetting(FrostingConfiguration.ToolPathKey, toolPath.FullPath);
}
