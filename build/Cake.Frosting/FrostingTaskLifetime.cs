using Cake.Core;

namespace Cake.Frosting;

public abstract class FrostingTaskLifetime : FrostingTaskLifetime<ICakeContext>
{
}

public abstract class FrostingTaskLifetime<TContext> : IFrostingTaskLifetime
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ITaskSetupContext info);

    public abstract void Teardown(TContext context, ITaskTeardownContext info);

    void IFrostingTaskSetup.Setup(ICakeContext context, ITaskSetupContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        Setup((TContext)context, info);
    }

    void IFrostingTaskTeardown.Teardown(ICakeContext context, ITaskTeardownContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        Teardown((TContext)context, info);
    }
}

public abstract class FrostingTaskSetup : FrostingTaskSetup<ICakeContext>
{
}

public abstract class FrostingTaskSetup<TContext> : IFrostingTaskSetup
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ITaskSetupContext info);

    void IFrostingTaskSetup.Setup(ICakeContext context, ITaskSetupContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        Setup((TContext)context, info);
    }
}

public abstract class FrostingTaskTeardown : FrostingTaskTeardown<ICakeContext>
{
}

public abstract class FrostingTaskTeardown<TContext> : IFrostingTaskTeardown
    where TContext : ICakeContext
{
    public abstract void Teardown(TContext context, ITaskTeardownContext info);

    void IFrostingTaskTeardown.Teardown(ICakeContext context, ITaskTeardownContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        Teardown((TContext)context, info);
    }
}
