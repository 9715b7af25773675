using System.Text;
using Tomlyn;
using Tomlyn.Model;

namespace Pipeline.Settings;

/// <summary>The repository's TOML files (pyproject.toml, environments.toml), read one way.</summary>
public static class StrictToml
{
    /// <summary>
    /// The file as TOML 1.0, as strictly as Python's tomllib reads it: UTF-8 without a byte order
    /// mark, no key or table defined twice. Every refusal is one line.
    /// </summary>
    public static TomlTable Read(string path, string fileName)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.AsSpan().StartsWith(Utf8Bom))
        {
            throw new BuildInputException($"{fileName} starts with a byte order mark, which TOML readers such as Python's tomllib refuse: save it as UTF-8 without one.") { File = fileName };
        }
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException exception)
        {
            throw new BuildInputException($"{fileName} is not valid UTF-8 (at byte {exception.Index}): save it as UTF-8.") { File = fileName };
        }
        try
        {
            // The syntax tree's validation refuses what TOML 1.0 forbids beyond syntax (a table
            // declared twice, a dotted key's table reopened); the model then refuses duplicate keys.
            Tomlyn.Parsing.SyntaxParser.ParseStrict(text, fileName, validate: true);
            return TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions { SourceName = fileName, DuplicateKeyHandling = TomlDuplicateKeyHandling.Error })!;
        }
        catch (TomlException exception)
        {
            var reason = exception.Diagnostics?.FirstOrDefault()?.Message ?? exception.Message;
            throw new BuildInputException($"{fileName} is not valid TOML at line {exception.Line}, column {exception.Column}: {SettingsReader.Printable(reason.TrimEnd('.'), 200)}. Fix the file.")
            {
                File = fileName,
                Line = exception.Line,
            };
        }
    }

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];
}
