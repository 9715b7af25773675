using Cake.Core;

namespace Cake.Frosting;

/// <summary>A task; derive from <see cref="FrostingTask{T}"/> or <see cref="AsyncFrostingTask{T}"/>.</summary>
public interface IFrostingTask
{
    Task RunAsync(ICakeContext context);

    bool ShouldRun(ICakeContext context);

    /// <summary>Why the task is skipped when <see cref="ShouldRun"/> says no; Cake logs it.</summary>
    string SkippedMessage => string.Empty;

    void OnError(Exception exception, ICakeContext context);

    void Finally(ICakeContext context);
}
