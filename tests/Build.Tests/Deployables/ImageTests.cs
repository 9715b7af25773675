using System.Net.Http.Json;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Deployables;

/// <summary>The root Dockerfile, built on the local Debian base and run on the real engine.</summary>
[NonParallelizable]
[Category(TestTiers.EndToEnd)]
public sealed class ImageTests
{
    [Test]
    public async Task TheImageBuildsRunsAsNonRootAndAnswersItsEndpoints()
    {
        var environment = TestEnvironment.Require();
        var tag = $"book-shop-image-test:{Guid.NewGuid():N}";
        var port = FreePort.Next();
        string? container = null;
        try
        {
            DockerEngine.Succeed("build", "--quiet", "--build-arg", $"BASE_IMAGE={environment.BaseImage}", "--build-arg", "VERSION=4.5.6",
                "--build-arg", "COMMIT=0123456789abcdef0123456789abcdef01234567", "--tag", tag, RepositoryRoot.Path);
            Assert.That(DockerEngine.Succeed("image", "inspect", tag, "--format", "{{.Config.User}} {{index .Config.Labels \"org.opencontainers.image.version\"}} {{index .Config.Labels \"org.opencontainers.image.revision\"}}"),
                Is.EqualTo("10001:10001 4.5.6 0123456789abcdef0123456789abcdef01234567"));

            container = DockerEngine.Succeed("run", "--detach", "--label", "book-shop.test=true", "--publish", $"127.0.0.1:{port}:8000", tag);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            await WaitForHealth(http);

            var version = await http.GetFromJsonAsync<Dictionary<string, string>>("/version");
            Assert.That(version, Is.EqualTo(new Dictionary<string, string> { ["version"] = "4.5.6", ["commit"] = "0123456789abcdef0123456789abcdef01234567" }));
            var created = await http.PostAsync("/books", new StringContent("{\"title\": \"Dune\", \"author\": \"Frank Herbert\", \"year\": 1965}", System.Text.Encoding.UTF8, "application/json"));
            Assert.That((int)created.StatusCode, Is.EqualTo(201));
            Assert.That(await http.GetStringAsync("/books"), Is.EqualTo("{\"books\": [{\"id\": 1, \"title\": \"Dune\", \"author\": \"Frank Herbert\", \"year\": 1965, \"isbn\": null}]}"));
        }
        finally
        {
            if (container is not null) DockerEngine.Run("rm", "--force", container);
            DockerEngine.RemoveImages(tag);
        }
    }

    private static async Task WaitForHealth(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) Assert.Fail("the container did not answer /healthz within 30 s");
            await Task.Delay(200);
        }
    }
}
