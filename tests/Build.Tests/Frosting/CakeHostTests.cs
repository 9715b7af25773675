using Cake.Cli;
using Cake.Core;
using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Tests.Frosting;

/// <summary>
/// The stand-in behaves as the Cake.Frosting package: the behaviours its own tests
/// (src/Cake.Frosting.Tests) and its sources describe, run on the real Cake engine.
/// </summary>
public sealed class CakeHostTests
{
    private FrostingRun _run = null!;

    [SetUp]
    public void StartRun() => _run = new FrostingRun();

    [TearDown]
    public void EndRun() => _run.Dispose();

    [Test]
    public void WithoutATargetTheDefaultTaskRuns()
    {
        _run.Register<DefaultTask>().Register<Clean>();

        Assert.That(_run.Run(), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "Default" }));
    }

    [TestCase("--target", "Test")]
    [TestCase("--target=Test")]
    [TestCase("-t", "Test")]
    [TestCase("--Target", "Test")]
    public void ATargetRunsAfterItsDependenciesAndReverseDependencies(params string[] args)
    {
        _run.Register<Clean>().Register<Compile>().Register<UnitTests>().Register<Restore>();

        Assert.That(_run.Run(args), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "Restore", "Clean", "Compile", "Test" }));
    }

    [TestCase("One", "Two", "Three")]
    [TestCase("Three", "One", "Two")]
    [TestCase("Two", "Three", "One")]
    public void SeveralTargetsAllRunOnceAndReachTheArgumentsInTheOrderGiven(string first, string second, string third)
    {
        _run.Register<One>().Register<Two>().Register<Three>().Register<NamesItsTarget>();

        Assert.That(_run.Run("--target", "NamesItsTarget", "--target", first, "--target", second, "--target", third), Is.Zero, _run.Output);
        // In which order independent targets run is Cake 7's engine's choice (by name, here); the
        // host hands them over as given.
        Assert.That(_run.Journal[0], Is.EqualTo($"target=NamesItsTarget,{first},{second},{third}"));
        Assert.That(_run.Journal.Skip(1), Is.EquivalentTo(new[] { "One", "Two", "Three" }));
    }

    [Test]
    public void ATaskThatSeveralTargetsNeedRunsOnce()
    {
        _run.Register<Clean>().Register<Compile>().Register<UnitTests>();

        Assert.That(_run.Run("--target", "Compile", "--target", "Test"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "Clean", "Compile", "Test" }));
    }

    [TestCase("--exclusive")]
    [TestCase("-e")]
    public void ExclusiveRunsTheTargetWithoutItsDependencies(string exclusive)
    {
        _run.Register<Clean>().Register<Compile>().Register<UnitTests>();

        Assert.That(_run.Run("--target", "Test", exclusive), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "Test" }));
    }

    [Test]
    public void TheLifetimeWrapsTheRunAndTheTaskLifetimeWrapsEveryTask()
    {
        _run.Register<Clean>().Register<Compile>();
        _run.Host.UseLifetime<Lifetime>().UseTaskLifetime<TaskLifetime>();

        Assert.That(_run.Run("--target", "Compile"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[]
        {
            "Setup for Clean,Compile",
            "TaskSetup Clean", "Clean", "TaskTeardown Clean",
            "TaskSetup Compile", "Compile", "TaskTeardown Compile",
            "Teardown successful",
        }));
    }

    [Test]
    public void SetupTeardownTaskSetupAndTaskTeardownCanEachBeRegisteredAlone()
    {
        _run.Register<Clean>();
        _run.Host.UseSetup<SetupOnly>().UseTeardown<TeardownOnly>().UseTaskSetup<TaskSetupOnly>().UseTaskTeardown<TaskTeardownOnly>();

        Assert.That(_run.Run("--target", "Clean"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "Setup", "TaskSetup Clean", "Clean", "TaskTeardown Clean", "Teardown" }));
    }

    [Test]
    public void AFailingTaskFailsTheRunWithMinusOneAndTheTeardownHearsWhy()
    {
        _run.Register<Fails>().Register<Clean>();
        _run.Host.UseLifetime<Lifetime>();

        var exitCode = _run.Run("--target", "Fails");

        Assert.That(exitCode, Is.EqualTo(-1));
        Assert.That(_run.Output, Does.Contain("Error: Fails went wrong"));
        Assert.That(_run.Journal, Is.EqualTo(new[] { "Setup for Fails", "Teardown failed: Fails went wrong" }));
    }

    [Test]
    public void ATaskMarkedContinueOnErrorFailsAloneAndTheRunGoesOn()
    {
        _run.Register<FailsButContinues>().Register<AfterFailure>();

        var exitCode = _run.Run("--target", "AfterFailure");

        Assert.That(exitCode, Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "AfterFailure" }));
        Assert.That(_run.Report.Single(entry => entry.TaskName == "FailsButContinues").ExecutionStatus, Is.EqualTo(CakeTaskExecutionStatus.Failed));
    }

    [Test]
    public void OnErrorHearsTheFailureAndFinallyRunsLast()
    {
        _run.Register<HandlesItsError>();

        Assert.That(_run.Run("--target", "HandlesItsError"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "run", "OnError: An exception", "Finally" }));
    }

    [Test]
    public void OnErrorIsNotCalledWhenTheTaskSucceeds()
    {
        _run.Register<CompletesWithHandlers>();

        Assert.That(_run.Run("--target", "CompletesWithHandlers"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "run", "Finally" }));
    }

    [Test]
    public void ATaskWhoseShouldRunSaysNoIsSkippedWithItsMessage()
    {
        _run.Register<SkippedWithMessage>().Register<SkippedWithoutMessage>().Register<Release>();

        Assert.That(_run.Run("--target", "Release", "--verbosity", "verbose"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "Release" }));
        Assert.That(_run.Output, Does.Contain("Skipping task: nothing to publish on a fork"));
        Assert.That(_run.Output, Does.Contain("Skipping task: SkippedWithoutMessage"));
        Assert.That(_run.Report.Where(entry => entry.TaskName.StartsWith("Skipped")).Select(entry => entry.ExecutionStatus), Is.EqualTo(new[] { CakeTaskExecutionStatus.Skipped, CakeTaskExecutionStatus.Skipped }));
    }

    [Test]
    public void ATargetWhoseShouldRunSaysNoFailsTheRun()
    {
        _run.Register<SkippedWithMessage>();

        Assert.That(_run.Run("--target", "SkippedWithMessage"), Is.EqualTo(-1));
        Assert.That(_run.Output, Does.Contain("Error: Could not reach target 'SkippedWithMessage' since it was skipped due to a criteria: nothing to publish on a fork."));
    }

    [Test]
    public void UnknownOptionsReachTheTasksAsArguments()
    {
        _run.Register<SkippedWithMessage>();

        Assert.That(_run.Run("--target", "SkippedWithMessage", "--publish=yes"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "SkippedWithMessage ran" }));
    }

    [Test]
    public void ATaskThatOverridesNothingIsReportedAsDelegated()
    {
        _run.Register<Clean>().Register<Compile>().Register<UnitTests>().Register<Everything>();

        Assert.That(_run.Run("--target", "Everything"), Is.Zero, _run.Output);
        Assert.That(_run.Report.Single(entry => entry.TaskName == "Everything").ExecutionStatus, Is.EqualTo(CakeTaskExecutionStatus.Delegated));
        Assert.That(_run.Report.Single(entry => entry.TaskName == "Test").ExecutionStatus, Is.EqualTo(CakeTaskExecutionStatus.Executed));
    }

    [Test]
    public void TheTargetIsAmongTheTasksArguments()
    {
        _run.Register<NamesItsTarget>();

        Assert.That(_run.Run("--target", "NamesItsTarget"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "target=NamesItsTarget" }));
    }

    [Test]
    public void ToolsAreInstalledThroughTheRegisteredInstallerBeforeTheFirstTask()
    {
        var installer = new RecordingToolInstaller();
        _run.Register<Clean>();
        _run.Host.InstallTool(new Uri("foo:?package=Bar")).ConfigureServices(services => services.AddSingleton<IToolInstaller>(installer));

        Assert.That(_run.Run("--target", "Clean"), Is.Zero, _run.Output);
        Assert.That(installer.Installed, Is.EqualTo(new[] { "foo:?package=Bar" }));
    }

    [Test]
    public void TheHostsInstallerUsesThePackageInstallerForTheSchemeAndTheToolIsFound()
    {
        _run.Register<ShowsToolPath>();
        _run.Host.UsePackageInstaller<FakePackageInstaller>()
            .InstallTool(new Uri("fake:?package=Thing"))
            .SetToolPath(Path.Combine(_run.Folder, "tools"));

        Assert.That(_run.Run("--target", "ShowsToolPath"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "tool=" + Path.Combine(_run.Folder, "tools", "Thing", "fake-tool") }));
    }

    [Test]
    public void NuGetsAndDotnetsInstallersComeBeforeTheBuildsOwnWhenAToolIsWanted()
    {
        _run.Register<ShowsToolPath>();
        _run.Host.UseSetup<ListsPackageInstallers>()
            .UsePackageInstaller<FakePackageInstaller>()
            .InstallTool(new Uri("fake:?package=Thing"))
            .SetToolPath(Path.Combine(_run.Folder, "tools"));

        Assert.That(_run.Run("--target", "ShowsToolPath"), Is.Zero, _run.Output);
        Assert.That(_run.Journal[0], Is.EqualTo("installers: NuGetPackageInstaller, DotNetToolPackageInstaller, FakePackageInstaller"));
    }

    [Test]
    public void AToolWithoutAnInstallerForItsSchemeStopsTheRunBeforeAnyTask()
    {
        _run.Register<Clean>();
        _run.Host.InstallTool(new Uri("nope:?package=Thing"));

        Assert.That(_run.Run("--target", "Clean"), Is.EqualTo(-1));
        Assert.That(_run.Output, Does.Contain("Error: Could not find an installer for the 'nope' scheme."));
        Assert.That(_run.Journal, Is.Empty);
    }

    [Test]
    public void AModuleRegistersWhatTheContextIsBuiltFrom()
    {
        _run.Register<Greets>();
        _run.Host.UseModule<GreetingModule>().UseContext<ShopContext>();

        Assert.That(_run.Run("--target", "Greets"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "hello from the module" }));
    }

    [Test]
    public void AStartupConfiguresTheServices()
    {
        _run.Register<Greets>();
        _run.Host.UseStartup<ShopStartup>();

        Assert.That(_run.Run("--target", "Greets"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "hello from the module" }));
    }

    [Test]
    public void ATaskWrittenForAnotherContextIsLeftOutWithAWarning()
    {
        _run.Register<WantsOtherContext>();

        Assert.That(_run.Run("--target", "WantsOtherContext"), Is.EqualTo(-1));
        Assert.That(_run.Output, Does.Contain("Task cannot be used since the context isn't convertible to Pipeline.Tests.Frosting.OtherContext."));
        Assert.That(_run.Output, Does.Contain("Error: The target 'WantsOtherContext' was not found."));
        Assert.That(_run.Journal, Is.Empty);
    }

    [TestCase(false, false, "from-host")]
    [TestCase(true, false, "from-file")]
    [TestCase(true, true, "from-argument")]
    public void CakeSettingsComeFromTheHostThenCakeConfigThenTheCommandLine(bool configFile, bool argument, string expected)
    {
        _run.Register<ShowsSetting>();
        _run.Host.UseCakeSetting("Custom_Key", "from-host");
        if (configFile)
        {
            File.WriteAllText(Path.Combine(_run.Folder, "cake.config"), "[Custom]\nKey=from-file\n");
        }

        var exitCode = _run.Run(argument ? ["--target", "ShowsSetting", "--custom_key=from-argument"] : ["--target", "ShowsSetting"]);

        Assert.That(exitCode, Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "setting=" + expected }));
    }

    [TestCase(new string[0], "foo")]
    [TestCase(new[] { "-w", "./bar" }, "bar")]
    [TestCase(new[] { "--working", "bar" }, "bar")]
    public void TheWorkingDirectoryComesFromTheCommandLineElseTheHost(string[] option, string expected)
    {
        Directory.CreateDirectory(Path.Combine(_run.Folder, "foo"));
        Directory.CreateDirectory(Path.Combine(_run.Folder, "bar"));
        _run.Register<ShowsWorkingDirectory>();
        _run.Host.UseWorkingDirectory("./foo");

        Assert.That(_run.Run(["--target", "ShowsWorkingDirectory", .. option]), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.EqualTo(new[] { "working=" + Path.Combine(_run.Folder, expected) }));
    }

    [Test]
    public void AWorkingDirectoryThatDoesNotExistIsRefused()
    {
        _run.Register<Clean>();

        Assert.That(_run.Run("--target", "Clean", "-w", "./missing"), Is.EqualTo(-1));
        Assert.That(_run.Output, Does.Contain($"Error: The working directory '{Path.Combine(_run.Folder, "missing")}' does not exist."));
        Assert.That(_run.Journal, Is.Empty);
    }

    [TestCase("--tree")]
    [TestCase("--showtree")]
    public void TheTreeShowsTheTargetsGraphAndRunsNothing(string tree)
    {
        _run.Register<Clean>().Register<Compile>().Register<UnitTests>().Register<One>();

        Assert.That(_run.Run(tree, "--target", "Test"), Is.Zero, _run.Output);
        Assert.That(_run.Output, Does.Contain("Test").And.Contain("Compile").And.Contain("Clean"));
        Assert.That(_run.Journal, Is.Empty);
    }

    [TestCase("--description")]
    [TestCase("--descriptions")]
    [TestCase("--showdescription")]
    [TestCase("--showdescriptions")]
    public void DescriptionListsTheTasksWithTheirDescriptionsAndRunsNothing(string description)
    {
        _run.Register<Clean>().Register<Compile>();

        Assert.That(_run.Run(description), Is.Zero, _run.Output);
        Assert.That(_run.Output, Does.Match(@"Compile\s+Compiles everything\."));
        Assert.That(_run.Output, Does.Contain("Clean"));
        Assert.That(_run.Journal, Is.Empty);
    }

    [TestCase("--version")]
    [TestCase("--ver")]
    public void VersionPrintsTheHostsVersionAndRunsNothing(string version)
    {
        _run.Register<DefaultTask>();

        Assert.That(_run.Run(version), Is.Zero, _run.Output);
        Assert.That(_run.Console.Text.Trim(), Is.EqualTo(new VersionResolver().GetVersion()));
        Assert.That(_run.Journal, Is.Empty);
    }

    [Test]
    public void InfoPrintsCakesBannerWithTheVersionAndRunsNothing()
    {
        _run.Register<DefaultTask>();

        Assert.That(_run.Run("--info"), Is.Zero, _run.Output);
        Assert.That(_run.Console.Text, Does.Contain("Version: " + new VersionResolver().GetVersion()).And.Contain("Details: "));
        Assert.That(_run.Journal, Is.Empty);
    }

    [TestCase("--dryrun")]
    [TestCase("--noop")]
    [TestCase("--whatif")]
    public void CakesDryRunListsTheTasksInOrderAndRunsNone(string dryRun)
    {
        _run.Register<Clean>().Register<Compile>().Register<UnitTests>();

        Assert.That(_run.Run("--target", "Test", dryRun), Is.Zero, _run.Output);
        Assert.That(_run.Output, Does.Contain("Performing dry run..."));
        Assert.That(_run.Output, Does.Contain("1. Clean").And.Contain("2. Compile").And.Contain("3. Test"));
        Assert.That(_run.Journal, Is.Empty);
    }

    [Test]
    public void QuietVerbosityHidesTheTasksInformation()
    {
        _run.Register<Clean>();

        Assert.That(_run.Run("--target", "Clean", "--verbosity", "quiet"), Is.Zero, _run.Output);
        Assert.That(_run.Journal, Is.Empty);
    }

    [Test]
    public void AnUnknownTargetFails()
    {
        _run.Register<Clean>();

        Assert.That(_run.Run("--target", "Cleen"), Is.EqualTo(-1));
        Assert.That(_run.Output, Does.Contain("Error: The target 'Cleen' was not found."));
    }

    [Test]
    public void ADependencyThatIsNoTaskIsRefused()
    {
        _run.Register<DependsOnNoTask>();

        Assert.That(_run.Run("--target", "DependsOnNoTask"), Is.EqualTo(-1));
        Assert.That(_run.Output, Does.Contain("Error: The dependency 'DateTime' is not a valid task."));
    }

    [Test]
    public void ATaskFoundTwiceIsRefused()
    {
        _run.Register<Clean>().Register<Clean>();

        Assert.That(_run.Run("--target", "Clean"), Is.EqualTo(-1));
        Assert.That(_run.Output, Does.Contain("Error: Another task with the name 'Clean' has already been added."));
        Assert.That(_run.Journal, Is.Empty);
    }

    [Test]
    public void AReverseDependencyThatIsNoTaskIsRefused()
    {
        _run.Register<DependeeOfNoTask>();

        Assert.That(_run.Run("--target", "DependeeOfNoTask"), Is.EqualTo(-1));
        Assert.That(_run.Output, Does.Contain("Error: The reverse dependency 'DateTime' is not a valid task."));
    }
}
