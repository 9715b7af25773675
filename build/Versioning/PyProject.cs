using Tomlyn;
using System.Text;
using Tomlyn.Model;

namespace Pipeline.Versioning;

/// <summary>Reads the application's version from pyproject.toml: PEP 621 first, then Poetry's table.</summary>
public static class PyProject
{
    public const string FileName = "pyproject.toml";

    public static ReleaseVersion ReadVersion(string path)
    {
        if (!File.Exists(path))
        {
            throw new BuildInputException($"{FileName} not found at {path}: the version comes from it; add [project] version = \"X.Y.Z\" at the repository root.") { File = FileName };
        }

        var declared = FindVersion(ReadToml(path));
        if (!ReleaseVersion.TryParse(declared, out var version))
        {
            throw new BuildInputException($"{FileName}: version \"{Settings.SettingsReader.Printable(declared)}\" is not MAJOR.MINOR.PATCH without leading zeros (for example 1.2.0): the image and release tags need X.Y.Z.") { File = FileName };
        }
        return version;
    }

    /// <summary>The file as TOML 1.0, as strictly as Python's tomllib reads it (see <see cref="Settings.StrictToml"/>).</summary>
    public static TomlTable ReadToml(string path) => Settings.StrictToml.Read(path, FileName);

    private static string FindVersion(TomlTable document)
    {
        var project = Table(document, "project");
        if (project is not null && project.TryGetValue("version", out var projectVersion))
        {
            return AsString(projectVersion, "[project] version");
        }

        var poetry = Table(Table(document, "tool"), "poetry");
        if (poetry is not null && poetry.TryGetValue("version", out var poetryVersion))
        {
            return AsString(poetryVersion, "[tool.poetry] version");
        }

        if (project is not null && project.TryGetValue("dynamic", out var dynamic) &&
            dynamic is TomlArray fields && fields.OfType<string>().Contains("version"))
        {
            throw new BuildInputException($"{FileName}: the version is dynamic ([project] dynamic = [\"version\"]), so no tag can be made from it; declare a static [project] version = \"X.Y.Z\".") { File = FileName };
        }

        throw new BuildInputException($"{FileName} has no version: add version = \"X.Y.Z\" to its [project] table (or to [tool.poetry]).") { File = FileName };
    }

    private static TomlTable? Table(TomlTable? parent, string key) =>
        parent is not null && parent.TryGetValue(key, out var value) ? value as TomlTable : null;

    private static string AsString(object value, string name) =>
        value as string ?? throw new BuildInputException($"{FileName}: {name} must be a string like \"1.2.0\", not {value}.") { File = FileName };
}
