using Cake.Core;

namespace Cake.Frosting;

/// <summary>An asynchronous task on the plain Cake context.</summary>
public abstract class AsyncFrostingTask : AsyncFrostingTask<ICakeContext>
{
}

/// <summary>An asynchronous task; as <see cref="FrostingTask{T}"/>, override only what it needs.</summary>
public abstract class AsyncFrostingTask<T> : IFrostingTask
    where T : ICakeContext
{
    public virtual Task RunAsync(T context) => Task.CompletedTask;

    public virtual bool ShouldRun(T context) => true;

    public virtual void OnError(Exception exception, T context)
    {
        ArgumentNullException.ThrowIfNull(exception);
    }

    public virtual void Finally(T context)
    {
    }

    Task IFrostingTask.RunAsync(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RunAsync((T)context);
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
