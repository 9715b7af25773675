using Cake.Cli;
using Cake.Cli.Infrastructure;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Packaging;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Cake.Frosting.Internal;

/// <summary>One run of the host: the services are built only now, with the run's arguments in them.</summary>
internal sealed class DefaultCommand : Command<DefaultCommandSettings>
{
    private readonly IServiceCollection _services;

    public DefaultCommand(IServiceCollection services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    public override int Execute(CommandContext context, DefaultCommandSettings settings, CancellationToken cancellationToken)
    {
        _services.AddSingleton<ICakeArguments>(context.Remaining.ToCakeArguments(settings.Targets));
        _services.AddSingleton(context.Remaining);

        // Disposed at the end of the run, unlike the package's (README: deliberate differences).
        using var provider = _services.BuildServiceProvider();
        try
        {
            if (settings.Version)
            {
                provider.GetRequiredService<VersionFeature>().Run(provider.GetRequiredService<IConsole>());
                return 0;
            }
            if (settings.Info)
            {
                provider.GetRequiredService<InfoFeature>().Run(provider.GetRequiredService<IConsole>());
                return 0;
            }

            provider.GetRequiredService<ICakeLog>().Verbosity = settings.Verbosity;
            SetWorkingDirectory(provider, settings);
            var engine = ChooseEngine(provider, settings);
            InstallTools(provider);
            if (settings.Exclusive)
            {
                engine.Settings.UseExclusiveTarget();
            }
            engine.Run(settings.Targets);
            return 0;
        }
        catch (Exception exception)
        {
            provider.GetRequiredService<ICakeLog>().LogException(exception);
            return -1;
        }
    }

    private static void SetWorkingDirectory(IServiceProvider provider, DefaultCommandSettings settings)
    {
        var fileSystem = provider.GetRequiredService<IFileSystem>();
        var environment = provider.GetRequiredService<ICakeEnvironment>();
        var directory = settings.WorkingDirectory ?? provider.GetService<WorkingDirectory>()?.Path;
        directory = directory?.MakeAbsolute(environment) ?? environment.WorkingDirectory;
        if (!fileSystem.Exist(directory))
        {
            throw new FrostingException($"The working directory '{directory.FullPath}' does not exist.");
        }
        environment.WorkingDirectory = directory;
    }

    // The installers are built only when there is a tool to install: NuGet's is costly to start.
    private static void InstallTools(IServiceProvider provider)
    {
        var tools = provider.GetServices<PackageReference>().ToList();
        if (tools.Count == 0)
        {
            return;
        }
        provider.GetRequiredService<ICakeLog>().Verbose("Installing tools...");
        var installer = provider.GetRequiredService<IToolInstaller>();
        foreach (var tool in tools)
        {
            installer.Install(tool);
        }
    }

    private static IFrostingEngine ChooseEngine(IServiceProvider provider, DefaultCommandSettings settings)
    {
        if (settings.DryRun)
        {
            return provider.GetRequiredService<FrostingEngine<DryRunScriptHost<IFrostingContext>>>();
        }
        if (settings.Tree)
        {
            return provider.GetRequiredService<FrostingEngine<TreeScriptHost>>();
        }
        if (settings.Description)
        {
            return provider.GetRequiredService<FrostingEngine<DescriptionScriptHost>>();
        }
        return provider.GetRequiredService<FrostingEngine<BuildScriptHost<IFrostingContext>>>();
    }
}
