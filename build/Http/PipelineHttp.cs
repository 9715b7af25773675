using Cake.Core.Diagnostics;
using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Http;

/// <summary>The one HTTP stack of the run: every request (registry, ECR Public, GitHub) retries transient failures the same way.</summary>
public sealed class PipelineHttp(IServiceProvider services, ICakeLog log) : IDisposable
{
    private RetryingHandler? _handler;

    // The settings are asked for at first use: the context is made after the tasks that take this.
    public HttpMessageHandler Handler => _handler ??= new RetryingHandler(((BuildContext)services.GetRequiredService<IFrostingContext>()).Settings.HttpPolicy, log);

    public void Dispose() => _handler?.Dispose();
}
