using System.Diagnostics;
using System.Text;
using Pipeline.Versioning;

namespace Pipeline.Tests.Versioning;

/// <summary>
/// pyproject.toml is read as TOML 1.0, exactly as strictly as Python's own tomllib, which the
/// image's tools use: each file of this corpus is given to both, and both must accept or refuse it.
/// </summary>
public sealed class TomlConformanceTests
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public static IEnumerable<TestCaseData> Corpus()
    {
        yield return Case("valid", "[project]\nname = \"book-shop\"\nversion = \"1.2.0\"\n");
        yield return Case("CRLF line ends", "[project]\r\nversion = \"1.2.0\"\r\n");
        yield return Case("a key twice", "[project]\nversion = \"1.2.0\"\nversion = \"1.3.0\"\n");
        yield return Case("a table twice", "[project]\nversion = \"1.2.0\"\n[project]\nname = \"x\"\n");
        yield return Case("a dotted key over a table", "[project]\nversion = \"1.2.0\"\n[tool]\nproject.version = \"2\"\n");
        yield return Case("a dotted key then its table", "project.version = \"1.2.0\"\n[project]\nname = \"x\"\n");
        yield return Case("an inline table extended", "project = { version = \"1.2.0\" }\n[project.urls]\nhome = \"x\"\n");
        yield return Case("an escaped newline in a value", "[project]\nversion = \"1.2.0\\n\"\n");
        yield return Case("a raw control character", "[project]\nversion = \"1.2.0\u0007\"\n");
        yield return Case("an unterminated string", "[project]\nversion = \"1.2.0\n");
        yield return Case("a float version", "[project]\nversion = 1.2\n");
        yield return Case("an empty file", "");
        yield return new TestCaseData(Bom.Concat("[project]\nversion = \"1.2.0\"\n"u8.ToArray()).ToArray()).SetArgDisplayNames("a byte order mark");
        yield return new TestCaseData("[project]\nversion = \"1.2.0\"\nname = \""u8.ToArray().Concat(new byte[] { 0xFF, 0x22, 0x0A }).ToArray()).SetArgDisplayNames("invalid UTF-8");
    }

    [TestCaseSource(nameof(Corpus))]
    public void AcceptsAndRefusesWhatPythonsTomllibDoes(byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pyproject-{Guid.NewGuid():N}.toml");
        File.WriteAllBytes(path, content);
        try
        {
            var python = Tomllib(path);
            string? ours = null;
            try
            {
                PyProject.ReadToml(path);
            }
            catch (BuildInputException exception)
            {
                ours = exception.Message;
            }

            Assert.That(ours is null, Is.EqualTo(python is null), $"tomllib: {python ?? "accepted"}; ours: {ours ?? "accepted"}");
            if (ours is not null)
            {
                Assert.That(ours, Does.Not.Contain("\n").And.Not.Contain("\r"), "one line");
                Assert.That(ours, Does.StartWith("pyproject.toml"));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Python's verdict: null when tomllib reads the file, else its error.</summary>
    private static string? Tomllib(string path)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-c", "import sys, tomllib; tomllib.load(open(sys.argv[1], 'rb'))", path }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : error.Trim().Split('\n')[^1];
    }

    private static TestCaseData Case(string name, string content) =>
        new TestCaseData(Encoding.UTF8.GetBytes(content)).SetArgDisplayNames(name);
}
