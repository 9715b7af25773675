using Cake.Core;

namespace Cake.Frosting;

/// <summary>A synchronous task on the plain Cake context.</summary>
public abstract class FrostingTask : FrostingTask<ICakeContext>
{
}

/// <summary>
/// A synchronous task. Override only what the task needs: the host hands the engine only the
/// overridden members, so the report tells an executed task from a delegating one.
/// </summary>
public abstract class FrostingTask<T> : IFrostingTask
    where T : ICakeContext
{
    public virtual void Run(T context)
    {
    }

    public virtual bool ShouldRun(T context) => true;

    public virtual void OnError(Exception exception, T context)
    {
    }

    public virtual void Finally(T context)
    {
    }

    Task IFrostingTask.RunAsync(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Run((T)context);
        return Task.CompletedTask;
    }

    bool IFrostingTask.ShouldRun(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ShouldRun((T)context);
    }

    void IFrostingTask.OnError(Exception exception, ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(context);
        OnError(exception, (T)context);
    }

    void IFrostingTask.Finally(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Finally((T)context);
    }
}
