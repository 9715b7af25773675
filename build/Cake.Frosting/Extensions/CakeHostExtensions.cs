using Cake.Core.Composition;
using Cake.Core.IO;
using Cake.Core.Packaging;

namespace Cake.Frosting;

/// <summary>The host's configuration, each a shorthand for the <see cref="ServiceCollectionExtensions"/> of the same name.</summary>
public static class CakeHostExtensions
{
    public static CakeHost UseStartup<TStartup>(this CakeHost host)
        where TStartup : IFrostingStartup, new()
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.ConfigureServices(services => new TStartup().Configure(services));
    }

    public static CakeHost UseContext<TContext>(this CakeHost host)
        where TContext : class, IFrostingContext =>
        host.ConfigureServices(services => services.UseContext<TContext>());

    public static CakeHost UseLifetime<TLifetime>(this CakeHost host)
        where TLifetime : class, IFrostingLifetime =>
        host.ConfigureServices(services => services.UseLifetime<TLifetime>());

    public static CakeHost UseSetup<TSetup>(this CakeHost host)
        where TSetup : class, IFrostingSetup =>
        host.ConfigureServices(services => services.UseSetup<TSetup>());

    public static CakeHost UseTeardown<TTeardown>(this CakeHost host)
        where TTeardown : class, IFrostingTeardown =>
        host.ConfigureServices(services => services.UseTeardown<TTeardown>());

    public static CakeHost UseTaskLifetime<TLifetime>(this CakeHost host)
        where TLifetime : class, IFrostingTaskLifetime =>
        host.ConfigureServices(services => services.UseTaskLifetime<TLifetime>());

    public static CakeHost UseTaskSetup<TSetup>(this CakeHost host)
        where TSetup : class, IFrostingTaskSetup =>
        host.ConfigureServices(services => services.UseTaskSetup<TSetup>());

    public static CakeHost UseTaskTeardown<TTeardown>(this CakeHost host)
        where TTeardown : class, IFrostingTaskTeardown =>
        host.ConfigureServices(services => services.UseTaskTeardown<TTeardown>());

    public static CakeHost UseModule<TModule>(this CakeHost host)
        where TModule : ICakeModule, new() =>
        host.ConfigureServices(services => services.UseModule<TModule>());

    public static CakeHost UsePackageInstaller<TPackageInstaller>(this CakeHost host)
        where TPackageInstaller : class, IPackageInstaller =>
        host.ConfigureServices(services => services.UsePackageInstaller<TPackageInstaller>());

    public static CakeHost InstallTool(this CakeHost host, Uri uri) =>
        host.ConfigureServices(services => services.UseTool(uri));

    public static CakeHost UseWorkingDirectory(this CakeHost host, DirectoryPath path) =>
        host.ConfigureServices(services => services.UseWorkingDirectory(path));

    public static CakeHost UseCakeSetting(this CakeHost host, string key, string value) =>
        host.ConfigureServices(services => services.UseCakeSetting(key, value));

    public static CakeHost SetToolPath(this CakeHost host, DirectoryPath path)
    {
        host.UseCakeSetting(Internal.FrostingConfiguration.ToolPathKey, path.FullPath);
        return host;
    }
}
