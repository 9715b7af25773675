using Cake.Core;

namespace Cake.Frosting;

public interface IFrostingLifetime
{
    void Setup(ICakeContext context, ISetupContext info);
    void Teardown(ICakeContext context, ITeardownContext info);
}

/// <summary>Runs once before the first task and once after the last, even in a dry run.</summary>
public abstract class FrostingLifetime<T> : IFrostingLifetime where T : ICakeContext
{
    public virtual void Setup(T context, ISetupContext info) { }
    public virtual void Teardown(T context, ITeardownContext info) { }

    void IFrostingLifetime.Setup(ICakeContext context, ISetupContext info) => Setup((T)context, info);
    void IFrostingLifetime.Teardown(ICakeContext context, ITeardownContext info) => Teardown((T)context, info);
}

public interface IFrostingTaskLifetime
{
    void Setup(ICakeContext context, ITaskSetupContext info);
    void Teardown(ICakeContext context, ITaskTeardownContext info);
}

/// <summary>Runs before and after every task.</summary>
public abstract class FrostingTaskLifetime<T> : IFrostingTaskLifetime where T : ICakeContext
{
    public virtual void Setup(T context, ITaskSetupContext info) { }
    public virtual void Teardown(T context, ITaskTeardownContext info) { }

    void IFrostingTaskLifetime.Setup(ICakeContext context, ITaskSetupContext info) => Setup((T)context, info);
    void IFrostingTaskLifetime.Teardown(ICakeContext context, ITaskTeardownContext info) => Teardown((T)context, info);
}
