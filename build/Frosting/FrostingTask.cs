using Cake.Core;

namespace Cake.Frosting;

public interface IFrostingTask
{
    Task RunAsync(ICakeContext context);
    bool ShouldRun(ICakeContext context);
    void OnError(Exception exception, ICakeContext context);
    void Finally(ICakeContext context);
}

/// <summary>A synchronous task. Override only what the task needs; the engine is told which.</summary>
public abstract class FrostingTask<T> : IFrostingTask where T : ICakeContext
{
    public virtual void Run(T context) { }

    /// <summary>False skips the task; log why (see <c>ShouldRunExtensions.ShouldRun</c>).</summary>
    public virtual bool ShouldRun(T context) => true;

    public virtual void OnError(Exception exception, T context) { }

    public virtual void Finally(T context) { }

    Task IFrostingTask.RunAsync(ICakeContext context)
    {
        Run((T)context);
        return Task.CompletedTask;
    }

    bool IFrostingTask.ShouldRun(ICakeContext context) => ShouldRun((T)context);
    void IFrostingTask.OnError(Exception exception, ICakeContext context) => OnError(exception, (T)context);
    void IFrostingTask.Finally(ICakeContext context) => Finally((T)context);
}

/// <summary>An asynchronous task.</summary>
public abstract class AsyncFrostingTask<T> : IFrostingTask where T : ICakeContext
{
    public virtual Task RunAsync(T context) => Task.CompletedTask;

    public virtual bool ShouldRun(T context) => true;

    public virtual void OnError(Exception exception, T context) { }

    public virtual void Finally(T context) { }

    Task IFrostingTask.RunAsync(ICakeContext context) => RunAsync((T)context);
    bool IFrostingTask.ShouldRun(ICakeContext context) => ShouldRun((T)context);
    void IFrostingTask.OnError(Exception exception, ICakeContext context) => OnError(exception, (T)context);
    void IFrostingTask.Finally(ICakeContext context) => Finally((T)context);
}

public static class ShouldRunExtensions
{
    /// <summary>Returns <paramref name="criteria"/>, and when it is false logs why the task is skipped.</summary>
    public static bool ShouldRun(this ICakeContext context, bool criteria, string whyNot)
    {
        if (!criteria)
        {
            Cake.Common.Diagnostics.LoggingAliases.Information(context, "Skipping: {0}", whyNot);
        }
        return criteria;
    }
}
