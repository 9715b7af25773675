using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Pipeline.Registry;

namespace Pipeline.Tests.Registry;

/// <summary>The signing setup ECR Public's login uses, against AWS's own SigV4 test vectors.</summary>
public sealed class SigV4VectorTests
{
    [TestCase("post-x-www-form-urlencoded")]
    [TestCase("post-x-www-form-urlencoded-parameters")]
    public void SignsLikeTheOfficialVector(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestData", "sigv4", name);
        using var context = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "context.json")));
        var root = context.RootElement;
        var (headers, body) = ParseRequest(File.ReadAllText(Path.Combine(folder, "request.txt")));
        var credentials = new BasicAWSCredentials(
            root.GetProperty("credentials").GetProperty("access_key_id").GetString(),
            root.GetProperty("credentials").GetProperty("secret_access_key").GetString());

        var signed = EcrPublic.Sign(HttpMethod.Post, new Uri($"https://{headers["Host"]}/"), headers, body, credentials,
            RegionEndpoint.GetBySystemName(root.GetProperty("region").GetString()), root.GetProperty("service").GetString()!,
            root.GetProperty("timestamp").GetDateTime().ToUniversalTime());

        var expected = File.ReadLines(Path.Combine(folder, "header-signed-request.txt"))
            .Single(line => line.StartsWith("Authorization:", StringComparison.Ordinal))["Authorization:".Length..];
        Assert.That(signed["Authorization"], Is.EqualTo(expected));
        Assert.That(expected, Does.EndWith(File.ReadAllText(Path.Combine(folder, "header-signature.txt")).Trim()));
    }

    private static (Dictionary<string, string> Headers, byte[] Body) ParseRequest(string text)
    {
        var parts = text.Replace("\r\n", "\n").Split("\n\n", 2);
        var headers = parts[0].Split('\n').Skip(1)
            .Select(line => line.Split(':', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        return (headers, System.Text.Encoding.UTF8.GetBytes(parts.Length > 1 ? parts[1] : ""));
    }
}
