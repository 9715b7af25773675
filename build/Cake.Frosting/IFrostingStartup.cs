using Microsoft.Extensions.DependencyInjection;

namespace Cake.Frosting;

/// <summary>Configures the host's services in one place (<see cref="CakeHostExtensions.UseStartup{TStartup}"/>).</summary>
public interface IFrostingStartup
{
    void Configure(IServiceCollection services);
}
