using System.Globalization;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.Packaging;
using Cake.Core.Tooling;

namespace Cake.Frosting.Internal;

/// <summary>Installs a tool with the first package installer that takes its scheme, and makes it findable.</summary>
internal sealed class ToolInstaller : IToolInstaller
{
    private readonly ICakeEnvironment _environment;
    private readonly IToolLocator _locator;
    private readonly ICakeConfiguration _configuration;
    private readonly ICakeLog _log;
    private readonly List<IPackageInstaller> _installers;

    public ToolInstaller(ICakeEnvironment environment, IToolLocator locator, ICakeConfiguration configuration, ICakeLog log, IEnumerable<IPackageInstaller> installers)
    {
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _locator = locator ?? throw new ArgumentNullException(nameof(locator));
        _configuration = configuration ?? throw new ArgumentNullException(nameof(configuration));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _installers = [.. installers ?? []];
    }

    public void Install(PackageReference tool)
    {
        var root = _configuration.GetToolPath(".", _environment);
        var installer = _installers.FirstOrDefault(candidate => candidate.CanInstall(tool, PackageType.Tool))
            ?? throw new FrostingException(string.Format(CultureInfo.InvariantCulture, "Could not find an installer for the '{0}' scheme.", tool.Scheme));

        _log.Debug("Installing tool '{0}'...", tool.Package);
        var installed = installer.Install(tool, PackageType.Tool, root);
        if (installed.Count == 0)
        {
            throw new FrostingException(string.Format(CultureInfo.InvariantCulture, "Failed to install tool '{0}'.", tool.Package));
        }
        foreach (var file in installed)
        {
            _locator.RegisterFile(file.Path);
        }
    }
}
