using Tomlyn;
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
            throw new BuildInputException($"{FileName} not found at {path}: the version comes from it; add [project] version = \"X.Y.Z\" at the repository root.");
        }

        var text = File.ReadAllText(path);
        var declared = FindVersion(Parse(text));
        if (!ReleaseVersion.TryParse(declared, out var version))
        {
            throw new BuildInputException($"{FileName}: version \"{declared}\" is not MAJOR.MINOR.PATCH without leading zeros (for example 1.2.0): the image and release tags need X.Y.Z.");
        }
        return version;
    }

    private static TomlTable Parse(string text)
    {
        try
        {
            return TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions { SourceName = FileName })!;
        }
        catch (TomlException exception)
        {
            var reason = exception.Diagnostics?.FirstOrDefault()?.Message ?? exception.Message;
            throw new BuildInputException($"{FileName}: TOML syntax error at line {exception.Line}, column {exception.Column}: {reason} Fix the file.");
        }
    }

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
            throw new BuildInputException($"{FileName}: the version is dynamic ([project] dynamic = [\"version\"]), so no tag can be made from it; declare a static [project] version = \"X.Y.Z\".");
        }

        throw new BuildInputException($"{FileName} has no version: add version = \"X.Y.Z\" to its [project] table (or to [tool.poetry]).");
    }

    private static TomlTable? Table(TomlTable? parent, string key) =>
        parent is not null && parent.TryGetValue(key, out var value) ? value as TomlTable : null;

    private static string AsString(object value, string name) =>
        value as string ?? throw new BuildInputException($"{FileName}: {name} must be a string like \"1.2.0\", not {value}.");
}
