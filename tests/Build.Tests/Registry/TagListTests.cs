using Pipeline.Registry;
using Pipeline.Settings;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Registry;

/// <summary>
/// The registry client's tag list (how Build finds the previous snapshot to reuse layers from),
/// against the real distribution registry of the test environment, page by page.
/// </summary>
[Category(TestTiers.EndToEnd)]
public sealed class TagListTests
{
    private TestEnvironment _environment = null!;
    private string _repository = null!;

    [SetUp]
    public void Start()
    {
        _environment = TestEnvironment.Require();
        _repository = $"tags-{Guid.NewGuid():N}"[..16];
    }

    private RegistryClient Client() => new(RegistryAddress.Parse(_environment.Registry),
        new RegistryCredentials(_environment.RegistryUsername, new Secret(_environment.RegistryPassword)));

    [Test]
    public async Task ListsEveryTagFollowingTheRegistrysNextPageLinks()
    {
        string[] tags = ["0.1.0-SNAPSHOT-aaaaaaa", "0.1.0-SNAPSHOT-bbbbbbb", "0.2.0-SNAPSHOT-ccccccc", "latest", "v0.1.0"];
        using (var registry = new RegistryHttp(_environment, _repository))
        {
            await registry.PutEmptyImage(tags);
        }
        using var client = Client();

        Assert.That(await client.ListTags(_repository, pageSize: 2), Is.EquivalentTo(tags), "three pages of two");
        Assert.That(await client.ListTags(_repository), Is.EquivalentTo(tags), "one page");
    }

    [Test]
    public async Task ARepositoryNeverPushedToHasNoTags()
    {
        using var client = Client();

        Assert.That(await client.ListTags(_repository), Is.Empty);
    }
}
