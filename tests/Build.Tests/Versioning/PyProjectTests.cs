using Pipeline.Tests.Support;
using Pipeline.Versioning;

namespace Pipeline.Tests.Versioning;

public sealed class PyProjectTests
{
    private const string Tags = "the image and release tags need X.Y.Z.";

    public static IEnumerable<TestCaseData> Refusals()
    {
        yield return Case("name = \"a\"\n[project]\nname = \n",
            "pyproject.toml is not valid TOML at line 3, column 8: Unexpected token end-of-line found while expecting a value. Fix the file.", "syntax error");
        yield return Case("[project]\nname = \"book-shop\"\n",
            "pyproject.toml has no version: add version = \"X.Y.Z\" to its [project] table (or to [tool.poetry]).", "no version");
        yield return Case("[project]\nname = \"book-shop\"\ndynamic = [\"version\"]\n",
            "pyproject.toml: the version is dynamic ([project] dynamic = [\"version\"]), so no tag can be made from it; declare a static [project] version = \"X.Y.Z\".", "dynamic");
        yield return Case("[project]\nversion = 1\n",
            "pyproject.toml: [project] version must be a string like \"1.2.0\", not 1.", "not a string");
        yield return Case("[project]\nversion = \"1.2.0\\n\"\n",
            $"pyproject.toml: version \"1.2.0\\u000a\" is not MAJOR.MINOR.PATCH without leading zeros (for example 1.2.0): {Tags}", "a newline, escaped");
        yield return Case("[project]\nversion = \"1.2.0\"\nversion = \"1.3.0\"\n",
            "pyproject.toml is not valid TOML at line 3, column 1: The key `project.version` is already defined at (2,1) with `version = \"1.2.0\"` and cannot be redefined. Fix the file.", "a key twice");
        foreach (var bad in new[] { "1.2", "01.2.0", "1.2.0rc1", "1.2.0.post1", "1.2.0+local", "v1.2.0", "1.2.0 ", "１.2.0" })
        {
            yield return Case($"[project]\nversion = \"{bad}\"\n",
                $"pyproject.toml: version \"{bad}\" is not MAJOR.MINOR.PATCH without leading zeros (for example 1.2.0): {Tags}", bad);
        }
    }

    [TestCaseSource(nameof(Refusals))]
    public void RefusesWithOneClearLine(string content, string expected)
    {
        using var repository = new TempGitRepository(init: false);
        var path = repository.Write("pyproject.toml", content);

        var error = Assert.Throws<BuildInputException>(() => PyProject.ReadVersion(path));

        Assert.That(error!.Message, Is.EqualTo(expected));
    }

    [Test]
    public void RefusesAMissingFileNamingWhereItLooked()
    {
        using var repository = new TempGitRepository(init: false);
        var path = Path.Combine(repository.Root, "pyproject.toml");

        var error = Assert.Throws<BuildInputException>(() => PyProject.ReadVersion(path));

        Assert.That(error!.Message, Is.EqualTo($"pyproject.toml not found at {path}: the version comes from it; add [project] version = \"X.Y.Z\" at the repository root."));
    }

    [TestCase("[project]\nname = \"book-shop\"\nversion = \"1.2.0\"\n", "1.2.0")]
    [TestCase("[project]\nversion = \"0.0.0\"\n", "0.0.0")]
    [TestCase("[project]\nversion = \"10.20.30\"\n", "10.20.30")]
    [TestCase("[tool.poetry]\nname = \"book-shop\"\nversion = \"2.0.1\"\n", "2.0.1")]
    [TestCase("[project]\ndynamic = [\"version\"]\n[tool.poetry]\nversion = \"3.1.4\"\n", "3.1.4")]
    public void ReadsTheVersion(string content, string expected)
    {
        using var repository = new TempGitRepository(init: false);
        var path = repository.Write("pyproject.toml", content);

        Assert.That(PyProject.ReadVersion(path).ToString(), Is.EqualTo(expected));
    }

    private static TestCaseData Case(string content, string expected, string name) =>
        new TestCaseData(content, expected).SetArgDisplayNames(name);
}
