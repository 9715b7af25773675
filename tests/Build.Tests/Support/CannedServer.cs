using System.Net;
using System.Text;

namespace Pipeline.Tests.Support;

/// <summary>
/// A misbehaving server, not a double of any service: it answers every request with what the
/// test chooses (an answer that is not JSON, JSON without the fields a real service sends, a
/// challenge), so that the host's failure line can be held against it.
/// </summary>
public sealed class CannedServer : IDisposable
{
    public sealed record Answer(int Status, string Body, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null);

    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public CannedServer(Func<HttpListenerRequest, Answer> answer)
    {
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext exchange;
                try { exchange = await _listener.GetContextAsync(); } catch (Exception) { return; }
                var reply = answer(exchange.Request);
                exchange.Response.StatusCode = reply.Status;
                exchange.Response.ContentType = reply.ContentType;
                foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>()) exchange.Response.Headers[name] = value;
                var body = Encoding.UTF8.GetBytes(reply.Body);
                if (exchange.Request.HttpMethod != "HEAD") await exchange.Response.OutputStream.WriteAsync(body);
                exchange.Response.Close();
            }
        });
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    public void Dispose()
    {
        _listener.Stop();
        _serving.Wait(TimeSpan.FromSeconds(5));
        _listener.Close();
    }
}
