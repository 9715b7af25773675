namespace Pipeline.Tests.Support;

/// <summary>What every Dev end-to-end test starts from: the environment, the app in a real git repository, its own run settings.</summary>
public abstract class DevFixture
{
    protected TestEnvironment Environment { get; private set; } = null!;
    protected AppRepository App { get; private set; } = null!;
    protected DevRun Run { get; private set; } = null!;

    [SetUp]
    public void StartDevFixture()
    {
        Environment = TestEnvironment.Require();
        App = new AppRepository();
        Run = new DevRun(Environment);
    }

    [TearDown]
    public void CleanDevFixture()
    {
        Run?.Clean();
        App?.Dispose();
    }
}
