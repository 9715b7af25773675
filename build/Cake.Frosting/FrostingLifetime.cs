using Cake.Core;

namespace Cake.Frosting;

// The base classes cast the host's context to the one the class is written for; UseContext
// decides which it is.

public abstract class FrostingLifetime : FrostingLifetime<ICakeContext>
{
}

public abstract class FrostingLifetime<TContext> : IFrostingLifetime
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ISetupContext info);

    public abstract void Teardown(TContext context, ITeardownContext info);

    void IFrostingSetup.Setup(ICakeContext context, ISetupContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        Setup((TContext)context, info);
    }

    void IFrostingTeardown.Teardown(ICakeContext context, ITeardownContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        Teardown((TContext)context, info);
    }
}

public abstract class FrostingSetup : FrostingSetup<ICakeContext>
{
}

public abstract class FrostingSetup<TContext> : IFrostingSetup
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ISetupContext info);

    void IFrostingSetup.Setup(ICakeContext context, ISetupContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        Setup((TContext)context, info);
    }
}

public abstract class FrostingTeardown : FrostingTeardown<ICakeContext>
{
}

public abstract class FrostingTeardown<TContext> : IFrostingTeardown
    where TContext : ICakeContext
{
    public abstract void Teardown(TContext context, ITeardownContext info);

    void IFrostingTeardown.Teardown(ICakeContext context, ITeardownContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        Teardown((TContext)context, info);
    }
}
