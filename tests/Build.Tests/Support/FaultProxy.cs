using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipeline.Tests.Support;

public enum Fault { None, ServiceUnavailable, TooManyRequests, Reset, Stall, Forbidden, TamperBody, TrickleBody }

/// <summary>The request line and headers a fault plan decides on.</summary>
public sealed record ProxiedRequest(string HttpMethod, string Path);

/// <summary>
/// An HTTP proxy on loopback in front of a real service (the registry, the GitHub double) that
/// injects faults: given each request's number and the request, the plan says whether to pass it
/// on or to answer 503, 429 (Retry-After: 1), 403, reset the connection (a TCP RST), or stall past
/// the client's timeout; or to pass it on and change one byte of the answer's body (its headers,
/// the digest included, kept), or send the body one byte a second. It works on sockets, one request per connection, because a reset must be
/// a real one. Every request is recorded with what was done to it.
/// </summary>
public sealed class FaultProxy : IDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
        { "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Host", "Proxy-Connection", "TE", "Trailer", "Upgrade" };

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly HttpClient _upstream;
    private readonly Func<int, ProxiedRequest, Fault> _plan;
    private int _count;

    public FaultProxy(string upstream, Func<int, ProxiedRequest, Fault> plan)
    {
        _plan = plan;
        _upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(upstream) };
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(Serve);
    }

    public int Port { get; }

    public List<string> Requests { get; } = [];

    private async Task Serve()
    {
        while (true)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(Socket client)
    {
        using var stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            var (method, path, headers, body) = await ReadRequest(stream);
            var number = Interlocked.Increment(ref _count);
            var fault = _plan(number, new ProxiedRequest(method, path));
            lock (Requests) Requests.Add($"{number} {method} {path} {fault}");
            switch (fault)
            {
                case Fault.ServiceUnavailable:
                    await Write(stream, 503, "Service Unavailable", [], "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"injected fault\"}]}"u8.ToArray(), method);
                    return;
                case Fault.TooManyRequests:
                    await Write(stream, 429, "Too Many Requests", [new("Retry-After", "1")], "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"injected throttling\"}]}"u8.ToArray(), method);
                    return;
                case Fault.Forbidden:
                    await Write(stream, 403, "Forbidden", [], "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"injected refusal\"}]}"u8.ToArray(), method);
                    return;
                case Fault.Stall:
                    await Task.Delay(TimeSpan.FromSeconds(6));
                    Reset(client);
                    return;
                case Fault.Reset:
                    Reset(client);
                    return;
            }

            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body.Length > 0 || method is "PUT" or "POST" or "PATCH") request.Content = new ByteArrayContent(body);
            foreach (var (name, value) in headers.Where(header => !HopByHop.Contains(header.Key)))
            {
                if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
            using var response = await _upstream.SendAsync(request);
            var answer = await response.Content.ReadAsByteArrayAsync();
            var copied = response.Headers.Concat(response.Content.Headers)
                .Where(header => !HopByHop.Contains(header.Key))
                .SelectMany(header => header.Value.Select(value => new KeyValuePair<string, string>(header.Key, value)))
                .ToList();
            if (method == "HEAD" && response.Content.Headers.ContentLength is { } length) copied.Add(new("Content-Length", length.ToString()));
            if (fault == Fault.TamperBody && answer.Length > 0) answer[answer.Length / 2] ^= 0x01;
            await Write(stream, (int)response.StatusCode, response.ReasonPhrase ?? "", copied, answer, method, trickle: fault == Fault.TrickleBody);
        }
        catch (Exception exception) when (exception is IOException or SocketException or HttpRequestException or ObjectDisposedException)
        {
        }
    }

    /// <summary>A real reset: close with a zero linger, so the peer gets a TCP RST.</summary>
    private static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    private static async Task<(string Method, string Path, List<KeyValuePair<string, string>> Headers, byte[] Body)> ReadRequest(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0) throw new IOException("the client closed the connection");
            head.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(line => line.Split(':', 2)).Select(pair => new KeyValuePair<string, string>(pair[0].Trim(), pair[1].Trim())).ToList();
        var length = headers.Where(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => int.Parse(h.Value)).FirstOrDefault();
        var body = new byte[length];
        for (var read = 0; read < length;) read += await stream.ReadAsync(body.AsMemory(read));
        return (requestLine[0], requestLine[1], headers, body);
    }

    private static async Task Write(NetworkStream stream, int status, string reason, IEnumerable<KeyValuePair<string, string>> headers, byte[] body, string method, bool trickle = false)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} {reason}\r\n");
        var list = headers.ToList();
        foreach (var (name, value) in list) head.Append($"{name}: {value}\r\n");
        if (!list.Any(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))) head.Append($"Content-Length: {body.Length}\r\n");
        head.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        if (method != "HEAD" && trickle)
        {
            await stream.FlushAsync();
            foreach (var b in body)
            {
                await stream.WriteAsync(new[] { b });
                await stream.FlushAsync();
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
        else if (method != "HEAD") await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    public void Dispose()
    {
        _listener.Stop();
        _upstream.Dispose();
    }
}
