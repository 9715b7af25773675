using Cake.Core.Diagnostics;
using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Http;

/// <summary>
/// The one HTTP stack of the run: every request (registry, ECR Public, GitHub) retries transient
/// failures the same way; each service has its handler, so that a failure says whose endpoint it was.
/// </summary>
public sealed class PipelineHttp(IServiceProvider services, ICakeLog log) : IDisposable
{
    private readonly Dictionary<HttpService, RetryingHandler> _handlers = [];

    // The settings are asked for at first use: the context is made after the tasks that take this.
    public HttpMessageHandler For(HttpService service)
    {
        lock (_handlers)
        {
            if (!_handlers.TryGetValue(service, out var handler))
            {
                _handlers[service] = handler = new RetryingHandler(((BuildContext)services.GetRequiredService<IFrostingContext>()).Settings.HttpPolicy, log, service);
            }
            return handler;
        }
    }

    public void Dispose()
    {
        foreach (var handler in _handlers.Values) handler.Dispose();
    }
}
