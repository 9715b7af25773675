using Cake.Core.Packaging;

namespace Cake.Frosting;

/// <summary>Installs the tools registered with <c>InstallTool</c>/<c>UseTool</c> before the first task.</summary>
public interface IToolInstaller
{
    void Install(PackageReference tool);
}
