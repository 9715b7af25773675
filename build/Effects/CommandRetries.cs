using Polly;
using Polly.Retry;

namespace Pipeline.Effects;

/// <summary>
/// How a command that failed for a passing reason is tried again (a docker push the registry
/// throttled, an SSH connection that could not be made): capped exponential backoff with jitter,
/// the same shape as the HTTP handler's. One definition, so that every retry of the run behaves alike.
/// </summary>
public static class CommandRetries
{
    public static ResiliencePipeline Pipeline(int maxRetries, Func<Exception, bool> isTransient, Action<Exception, int, TimeSpan> onRetry) =>
        new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            // Polly needs at least one attempt more; with none allowed, nothing is handled.
            MaxRetryAttempts = Math.Max(1, maxRetries),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(20),
            ShouldHandle = arguments => ValueTask.FromResult(maxRetries > 0 && arguments.Outcome.Exception is { } exception && isTransient(exception)),
            OnRetry = arguments =>
            {
                onRetry(arguments.Outcome.Exception!, arguments.AttemptNumber + 1, arguments.RetryDelay);
                return ValueTask.CompletedTask;
            },
        }).Build();
}
