using Pipeline.Docker;
using Pipeline.Settings;

namespace Pipeline.Tests.Docker;

/// <summary>The docker wrapper's one argument builder, and what counts as a transient push failure.</summary>
public sealed class DockerCommandTests
{
    [Test]
    public void LoginSendsThePasswordOnStandardInputNeverAsAnArgument()
    {
        var arguments = DockerCli.Arguments(new DockerLogin("public.ecr.aws", "AWS", new Secret("s3cr3t")));

        Assert.That(arguments.Render(), Is.EqualTo("login --username \"AWS\" --password-stdin \"public.ecr.aws\""));
        Assert.That(arguments.Render(), Does.Not.Contain("s3cr3t"));
    }

    [Test]
    public void BuildPassesEveryBuildArgumentQuoted()
    {
        var arguments = DockerCli.Arguments(new DockerBuild("/repo", new Pipeline.Registry.ImageRepository(Pipeline.Registry.RegistryAddress.Parse("r"), "book-shop").Reference("1.2.0-SNAPSHOT-abc1234"),
            [new("VERSION", "1.2.0"), new("BASE_IMAGE", "local/python:3.11-bookworm")]));

        Assert.That(arguments.Render(), Is.EqualTo("build --tag \"r/book-shop:1.2.0-SNAPSHOT-abc1234\" --build-arg \"VERSION=1.2.0\" --build-arg \"BASE_IMAGE=local/python:3.11-bookworm\" \"/repo\""));
    }

    [Test]
    public void BuildReusesThePreviousSnapshotsLayersWhenGivenOne()
    {
        var repository = new Pipeline.Registry.ImageRepository(Pipeline.Registry.RegistryAddress.Parse("r"), "book-shop");
        var arguments = DockerCli.Arguments(new DockerBuild("/repo", repository.Reference("1.2.0-SNAPSHOT-abc1234"), [new("VERSION", "1.2.0")])
        {
            CacheFrom = repository.Reference("1.2.0-SNAPSHOT-0ld0001"),
        });

        Assert.That(arguments.Render(), Is.EqualTo("build --tag \"r/book-shop:1.2.0-SNAPSHOT-abc1234\" --cache-from \"r/book-shop:1.2.0-SNAPSHOT-0ld0001\" --build-arg \"VERSION=1.2.0\" \"/repo\""));
    }

    [TestCase("toomanyrequests: Rate exceeded", true)]
    [TestCase("received unexpected HTTP status: 503 Service Unavailable", true)]
    [TestCase("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer", true)]
    [TestCase("net/http: TLS handshake timeout", true)]
    [TestCase("denied: requested access to the resource is denied", false)]
    [TestCase("name unknown: repository name not known to registry", false)]
    [TestCase("unauthorized: authentication required", false)]
    public void TellsTransientRegistryFailuresFromRefusals(string line, bool transient)
    {
        Assert.That(DockerCli.IsTransient(["The push refers to repository [x]", line]), Is.EqualTo(transient));
    }
}
