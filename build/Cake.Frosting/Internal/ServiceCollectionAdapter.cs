using Cake.Core.Composition;
using Microsoft.Extensions.DependencyInjection;

namespace Cake.Frosting.Internal;

/// <summary>
/// Cake's container contract (what a module registers through), collected and then handed to the
/// service collection, as the package does it: one service type per registration (the last
/// <c>As</c> wins), transient unless told otherwise. Nothing is inspected or built here, so a
/// module's types (NuGet's, say) load only when something asks for them.
/// </summary>
internal sealed class ServiceCollectionAdapter : ICakeContainerRegistrar
{
    private readonly List<ServiceRegistration> _registrations = [];

    public ICakeRegistrationBuilder RegisterInstance<TImplementation>(TImplementation instance)
        where TImplementation : class
    {
        var registration = new ServiceRegistration(typeof(TImplementation)) { Instance = instance, Lifetime = ServiceLifetime.Singleton };
        _registrations.Add(registration);
        return registration;
    }

    public ICakeRegistrationBuilder RegisterType(Type type)
    {
        var registration = new ServiceRegistration(type);
        _registrations.Add(registration);
        return registration;
    }

    public void Transfer(IServiceCollection services)
    {
        foreach (var registration in _registrations)
        {
            services.Add(registration.Instance is { } instance
                ? ServiceDescriptor.Describe(registration.ServiceType, _ => instance, registration.Lifetime)
                : ServiceDescriptor.Describe(registration.ServiceType, registration.ImplementationType, registration.Lifetime));
        }
    }

    private sealed class ServiceRegistration(Type implementationType) : ICakeRegistrationBuilder
    {
        public Type ImplementationType { get; } = implementationType;
        public object Instance { get; init; }
        public Type ServiceType { get; private set; } = implementationType;
        public ServiceLifetime Lifetime { get; set; } = ServiceLifetime.Transient;

        public ICakeRegistrationBuilder As(Type type)
        {
            ServiceType = type;
            return this;
        }

        public ICakeRegistrationBuilder AsSelf() => As(ImplementationType);

        public ICakeRegistrationBuilder Singleton()
        {
            Lifetime = ServiceLifetime.Singleton;
            return this;
        }

        public ICakeRegistrationBuilder Transient()
        {
            Lifetime = ServiceLifetime.Transient;
            return this;
        }
    }
}
