using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Cake.Common;
using Cake.Common.Diagnostics;
using Cake.Core;
using Cake.Core.Composition;
using Cake.Core.IO;
using Cake.Core.Packaging;
using Cake.Frosting;

// A Frosting build as its documentation describes one, with everything the template leaves out.
// Each line it prints starts with "» " so that the tests can follow the order of events.

public static class Program
{
    public static int Main(string[] args) =>
        new CakeHost()
            .UseContext<BuildContext>()
            .UseLifetime<BuildLifetime>()
            .UseTaskLifetime<TaskLifetime>()
            .UseModule<GreetingModule>()
            .UsePackageInstaller<ScriptInstaller>()
            .InstallTool(new Uri("script:?package=greeter"))
            .SetToolPath("./tools")
            .Run(args);
}

public interface IGreeting
{
    string Text { get; }
}

public sealed class FriendlyGreeting : IGreeting
{
    public string Text => "hello from a module";
}

public sealed class GreetingModule : ICakeModule
{
    public void Register(ICakeContainerRegistrar registrar) =>
        registrar.RegisterType<FriendlyGreeting>().As<IGreeting>().Singleton();
}

/// <summary>Installs a "tool" (a shell script that prints a line) into the tools folder.</summary>
public sealed class ScriptInstaller : IPackageInstaller
{
    private readonly IFileSystem _fileSystem;

    public ScriptInstaller(IFileSystem fileSystem)
    {
        _fileSystem = fileSystem;
    }

    public bool CanInstall(PackageReference package, PackageType type) => package.Scheme == "script";

    public IReadOnlyCollection<IFile> Install(PackageReference package, PackageType type, DirectoryPath path)
    {
        var script = path.Combine(package.Package).CombineWithFilePath(package.Package);
        Directory.CreateDirectory(script.GetDirectory().FullPath);
        File.WriteAllText(script.FullPath, "#!/bin/sh\necho \"» greeter says $1\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script.FullPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return new[] { _fileSystem.GetFile(script) };
    }
}

public class BuildContext : FrostingContext
{
    public BuildContext(ICakeContext context, IGreeting greeting)
        : base(context)
    {
        Greeting = greeting.Text;
    }

    public string Greeting { get; }

    public List<string> Done { get; } = new List<string>();
}

public sealed class BuildLifetime : FrostingLifetime<BuildContext>
{
    public override void Setup(BuildContext context, ISetupContext info) =>
        context.Information("» setup: " + string.Join(", ", info.TasksToExecute.Select(task => task.Name)));

    public override void Teardown(BuildContext context, ITeardownContext info) =>
        context.Information("» teardown: " + (info.Successful ? "success" : "failure") + " after " + string.Join(", ", context.Done));
}

public sealed class TaskLifetime : FrostingTaskLifetime<BuildContext>
{
    public override void Setup(BuildContext context, ITaskSetupContext info) => context.Information("» before " + info.Task.Name);

    public override void Teardown(BuildContext context, ITaskTeardownContext info) => context.Done.Add(info.Task.Name);
}

[TaskName("Greet")]
[TaskDescription("Says the module's greeting.")]
public sealed class GreetTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => context.Information("» " + context.Greeting);
}

[TaskName("Flaky")]
[ContinueOnError]
public sealed class FlakyTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw new InvalidOperationException("flaky failed");
}

[TaskName("UseTool")]
[IsDependentOn(typeof(GreetTask))]
[IsDependentOn(typeof(FlakyTask))]
public sealed class UseToolTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var tool = context.Tools.Resolve("greeter") ?? throw new InvalidOperationException("greeter was not installed");
        context.StartProcess(tool, new ProcessSettings { Arguments = "frosting" });
    }
}

[TaskName("Broken")]
public sealed class BrokenTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => throw new InvalidOperationException("broken on purpose");
}

// Not public: Frosting does not pick it up, so it never runs, although it says it comes first.
[TaskName("Hidden")]
[IsDependeeOf(typeof(UseToolTask))]
internal sealed class HiddenTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) => context.Information("» hidden ran");
}

[TaskName("Default")]
[IsDependentOn(typeof(UseToolTask))]
public sealed class DefaultTask : FrostingTask
{
}
