using Cake.Core;
using Cake.Core.Composition;
using Cake.Core.IO;
using Cake.Core.Packaging;
using Cake.Frosting;

namespace Pipeline.Tests.Frosting;

// The tasks, lifetimes and services the behaviour tests run. Internal, so that the pipeline's own
// host (which looks in this assembly for public tasks) never sees them; the tests register each.

[TaskName("Default")]
internal sealed class DefaultTask : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "Default");
}

internal sealed class Clean : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "Clean");
}

[IsDependentOn(typeof(Clean))]
[TaskDescription("Compiles everything.")]
internal sealed class Compile : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "Compile");
}

[TaskName("Test")]
[IsDependentOn(typeof(Compile))]
internal sealed class UnitTests : AsyncFrostingTask
{
    public override async Task RunAsync(ICakeContext context)
    {
        await Task.Yield();
        FrostingRun.Note(context, "Test");
    }
}

/// <summary>Runs before Clean although Clean does not name it.</summary>
[IsDependeeOf(typeof(Clean))]
internal sealed class Restore : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "Restore");
}

/// <summary>Overrides nothing: the engine gets no action for it, and reports it delegated.</summary>
[IsDependentOn(typeof(UnitTests))]
internal sealed class Everything : FrostingTask
{
}

internal sealed class Fails : FrostingTask
{
    public override void Run(ICakeContext context) => throw new InvalidOperationException("Fails went wrong");
}

[ContinueOnError]
internal sealed class FailsButContinues : FrostingTask
{
    public override void Run(ICakeContext context) => throw new InvalidOperationException("FailsButContinues went wrong");
}

[IsDependentOn(typeof(FailsButContinues))]
internal sealed class AfterFailure : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "AfterFailure");
}

internal sealed class HandlesItsError : AsyncFrostingTask
{
    public override Task RunAsync(ICakeContext context)
    {
        FrostingRun.Note(context, "run");
        throw new InvalidOperationException("An exception");
    }

    public override void OnError(Exception exception, ICakeContext context) => FrostingRun.Note(context, "OnError: " + exception.Message);

    public override void Finally(ICakeContext context) => FrostingRun.Note(context, "Finally");
}

internal sealed class CompletesWithHandlers : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "run");

    public override void OnError(Exception exception, ICakeContext context) => FrostingRun.Note(context, "OnError");

    public override void Finally(ICakeContext context) => FrostingRun.Note(context, "Finally");
}

internal sealed class SkippedWithoutMessage : FrostingTask
{
    public override bool ShouldRun(ICakeContext context) => false;

    public override void Run(ICakeContext context) => FrostingRun.Note(context, "SkippedWithoutMessage ran");
}

/// <summary>Gives its reason the way Frosting asks for it, through IFrostingTask.SkippedMessage.</summary>
internal sealed class SkippedWithMessage : FrostingTask, IFrostingTask
{
    string IFrostingTask.SkippedMessage => "nothing to publish on a fork";

    public override bool ShouldRun(ICakeContext context) => context.Arguments.HasArgument("publish");

    public override void Run(ICakeContext context) => FrostingRun.Note(context, "SkippedWithMessage ran");
}

[IsDependentOn(typeof(DateTime))]
internal sealed class DependsOnNoTask : FrostingTask
{
}

[IsDependeeOf(typeof(DateTime))]
internal sealed class DependeeOfNoTask : FrostingTask
{
}

internal sealed class NamesItsTarget : FrostingTask
{
    public override void Run(ICakeContext context) =>
        FrostingRun.Note(context, "target=" + string.Join(",", context.Arguments.GetArguments("target")));
}

internal sealed class ShowsWorkingDirectory : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "working=" + context.Environment.WorkingDirectory.FullPath);
}

internal sealed class ShowsSetting : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "setting=" + (context.Configuration.GetValue("Custom_Key") ?? "(none)"));
}

internal sealed class ShowsToolPath : FrostingTask
{
    public override void Run(ICakeContext context) =>
        FrostingRun.Note(context, "tool=" + (context.Tools.Resolve("fake-tool")?.FullPath ?? "(none)"));
}

/// <summary>A context of the build's own, and a task written for it.</summary>
internal sealed class ShopContext(ICakeContext context, IGreeting greeting) : FrostingContext(context)
{
    public string Greeting { get; } = greeting.Text;
}

internal sealed class Greets : FrostingTask<ShopContext>
{
    public override void Run(ShopContext context) => FrostingRun.Note(context, context.Greeting);
}

internal sealed class OtherContext(ICakeContext context) : FrostingContext(context);

/// <summary>Written for a context the host does not use: left out with a warning, as Frosting does.</summary>
internal sealed class WantsOtherContext : FrostingTask<OtherContext>
{
    public override void Run(OtherContext context) => FrostingRun.Note(context, "WantsOtherContext ran");
}

internal interface IGreeting
{
    string Text { get; }
}

internal sealed class ModuleGreeting : IGreeting
{
    public string Text => "hello from the module";
}

/// <summary>A Cake module, registering through Cake's own container contract.</summary>
internal sealed class GreetingModule : ICakeModule
{
    public void Register(ICakeContainerRegistrar registrar) => registrar.RegisterType<ModuleGreeting>().As<IGreeting>().Singleton();
}

internal sealed class Lifetime : FrostingLifetime
{
    public override void Setup(ICakeContext context, ISetupContext info) =>
        FrostingRun.Note(context, "Setup for " + string.Join(",", info.TasksToExecute.Select(task => task.Name)));

    public override void Teardown(ICakeContext context, ITeardownContext info) =>
        FrostingRun.Note(context, "Teardown " + (info.Successful ? "successful" : "failed: " + info.ThrownException?.Message));
}

internal sealed class TaskLifetime : FrostingTaskLifetime
{
    public override void Setup(ICakeContext context, ITaskSetupContext info) => FrostingRun.Note(context, "TaskSetup " + info.Task.Name);

    public override void Teardown(ICakeContext context, ITaskTeardownContext info) => FrostingRun.Note(context, "TaskTeardown " + info.Task.Name);
}

internal sealed class SetupOnly : FrostingSetup
{
    public override void Setup(ICakeContext context, ISetupContext info) => FrostingRun.Note(context, "Setup");
}

internal sealed class TeardownOnly : FrostingTeardown
{
    public override void Teardown(ICakeContext context, ITeardownContext info) => FrostingRun.Note(context, "Teardown");
}

internal sealed class TaskSetupOnly : FrostingTaskSetup
{
    public override void Setup(ICakeContext context, ITaskSetupContext info) => FrostingRun.Note(context, "TaskSetup " + info.Task.Name);
}

internal sealed class TaskTeardownOnly : FrostingTaskTeardown
{
    public override void Teardown(ICakeContext context, ITaskTeardownContext info) => FrostingRun.Note(context, "TaskTeardown " + info.Task.Name);
}

/// <summary>Stands in for the tool installer: records what the host asks it to install.</summary>
internal sealed class RecordingToolInstaller : IToolInstaller
{
    public List<string> Installed { get; } = [];

    public void Install(PackageReference tool) => Installed.Add(tool.OriginalString);
}

/// <summary>
/// A package installer for the "fake" scheme: it "installs" a tool by writing an executable file
/// into the tools folder Cake's configuration names, as NuGet's installer would.
/// </summary>
internal sealed class FakePackageInstaller(IFileSystem fileSystem) : IPackageInstaller
{
    public bool CanInstall(PackageReference package, PackageType type) => package.Scheme == "fake";

    public IReadOnlyCollection<IFile> Install(PackageReference package, PackageType type, DirectoryPath path)
    {
        var file = path.Combine(package.Package).CombineWithFilePath("fake-tool");
        fileSystem.GetDirectory(file.GetDirectory()).Create();
        File.WriteAllText(file.FullPath, "#!/bin/sh\n");
        return [fileSystem.GetFile(file)];
    }
}

internal sealed class One : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "One");
}

internal sealed class Two : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "Two");
}

internal sealed class Three : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "Three");
}

internal sealed class ShopStartup : IFrostingStartup
{
    public void Configure(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        services.UseContext<ShopContext>();
        services.UseModule<GreetingModule>();
    }
}

[IsDependentOn(typeof(SkippedWithMessage))]
[IsDependentOn(typeof(SkippedWithoutMessage))]
internal sealed class Release : FrostingTask
{
    public override void Run(ICakeContext context) => FrostingRun.Note(context, "Release");
}

/// <summary>Notes which package installers the host has, in the order it would ask them.</summary>
internal sealed class ListsPackageInstallers(IEnumerable<IPackageInstaller> installers) : FrostingSetup
{
    public override void Setup(ICakeContext context, ISetupContext info) =>
        FrostingRun.Note(context, "installers: " + string.Join(", ", installers.Select(installer => installer.GetType().Name)));
}
