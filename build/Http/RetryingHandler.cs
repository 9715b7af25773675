using System.Net;
using Cake.Core.Diagnostics;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Pipeline.Http;

/// <summary>Whose endpoint a client talks to, in words, and the setting that says where it is: the failure line names both.</summary>
public sealed record HttpService(string Name, string Setting)
{
    public static readonly HttpService Registry = new("the registry", "REGISTRY");
    public static readonly HttpService EcrPublic = new("ECR Public's API", "AWS_ENDPOINT_URL_ECR_PUBLIC (or AWS_ENDPOINT_URL; unset means the real endpoint)");
    public static readonly HttpService GitHub = new("GitHub's API", "GITHUB_API_URL");
}

/// <summary>How hard the pipeline's HTTP clients try: settings, so tests and slow links can tune them.</summary>
public sealed record RetryPolicy(int MaxRetries, TimeSpan FirstDelay, TimeSpan MaxDelay, TimeSpan AttemptTimeout)
{
    public static readonly RetryPolicy Default = new(4, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
}

/// <summary>
/// Every HTTP request of the pipeline (registry, ECR Public, GitHub through Octokit) goes through
/// this handler: transient failures (429, 5xx, a reset connection, an attempt that times out) are
/// retried with capped exponential backoff and jitter, waiting at least what Retry-After asks;
/// any other answer, a 4xx included, goes back to the caller at once with the server's message.
/// </summary>
public sealed class RetryingHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly RetryPolicy _policy;
    private readonly HttpService _service;

    public RetryingHandler(RetryPolicy policy, ICakeLog? log, HttpService service, HttpMessageHandler? inner = null)
        : base(inner ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        _policy = policy;
        _service = service;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        // Polly refuses a retry strategy of zero attempts; HTTP_RETRIES=0 means one attempt only.
        if (policy.MaxRetries > 0) builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = policy.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = policy.FirstDelay,
                MaxDelay = policy.MaxDelay,
                ShouldHandle = arguments => ValueTask.FromResult(IsTransient(arguments.Outcome)),
                DelayGenerator = arguments => ValueTask.FromResult(RetryAfter(arguments.Outcome.Result, policy.MaxDelay)),
                OnRetry = arguments =>
                {
                    var request = arguments.Context.Properties.GetValue(RequestKey, null!);
                    log?.Warning("{0} {1}: {2}; retry {3} of {4} in {5:0.0}s", request.Method, request.RequestUri, Describe(arguments.Outcome),
                        arguments.AttemptNumber + 1, policy.MaxRetries, arguments.RetryDelay.TotalSeconds);
                    arguments.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        _pipeline = builder.AddTimeout(policy.AttemptTimeout).Build();
    }

    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("request");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Content is sent again on a retry; buffer it once so that any kind can be re-read.
        if (request.Content is not null) await request.Content.LoadIntoBufferAsync(cancellationToken);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            return await _pipeline.ExecuteAsync(async (ctx, state) => await state.Self.BaseSend(state.Request, ctx.CancellationToken), context, (Self: this, Request: request));
        }
        catch (Exception exception) when (exception is TimeoutRejectedException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw new EndpointException(_service, request, exception, _policy);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// One attempt, body included: the attempt's timeout must also bound a server that sends its
    /// headers and then trickles the body, so the body is read here, inside it.
    /// </summary>
    private async Task<HttpResponseMessage> BaseSend(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or TimeoutRejectedException or IOException ||
        outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError };

    /// <summary>Retry-After (seconds or a date), when the server sends it; else the backoff decides.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan cap)
    {
        var header = response?.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } value ? TimeSpan.FromTicks(Math.Clamp(value.Ticks, 0, cap.Ticks)) : null;
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } exception ? exception.GetType().Name + ": " + exception.Message.Split('\n')[0]
        : $"answered {(int)outcome.Result!.StatusCode} {outcome.Result.ReasonPhrase}";
}

/// <summary>
/// A request that got no answer on any attempt, as one line: what went wrong, the endpoint (its
/// path, never its query), how often it was tried, and what to check.
/// </summary>
public sealed class EndpointException(HttpService service, HttpRequestMessage request, Exception last, RetryPolicy policy) : PipelineException(
    $"{service.Name} did not answer: {Reason(last, policy)} ({request.Method} {request.RequestUri?.GetLeftPart(UriPartial.Path)}, {policy.MaxRetries + 1} attempt(s)): " +
    $"check {service.Setting} and that the address answers from this machine, then re-run.", last)
{
    private static string Reason(Exception exception, RetryPolicy policy) => exception switch
    {
        TimeoutRejectedException => $"no answer within {policy.AttemptTimeout.TotalSeconds:0.#}s",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => $"the host name does not resolve",
        HttpRequestException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } } => "the connection was refused",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "the TLS handshake failed",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } or IOException => "the connection closed before the answer was complete",
        _ => $"the request failed ({exception.Message.Split('\n')[0].Trim()})",
    };
}
