using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Registry;
using Pipeline.Versioning;

namespace Pipeline.Snapshot;

/// <summary>
/// Reads the snapshot.json that Dev wrote, strictly: every field present, of its type and form.
/// Each refusal is one line that names the file and the field.
/// </summary>
public static partial class SnapshotInput
{
    [GeneratedRegex(@"^[0-9a-f]{40}\z")]
    private static partial Regex FullSha();

    public static SnapshotRecord Load(string path)
    {
        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        string Refuse(string why) => throw new BuildInputException($"--snapshot-file / SNAPSHOT_FILE: {path}: {why}; use the snapshot.json that Dev wrote.");

        if (Settings.Parse.NotAReadableFile(path, maxBytes: 64 * 1024) is { } why) Refuse($"the file {why}");
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            root = document.RootElement.Clone();
            // JSON lets a key repeat and readers keep the last: a record is refused instead.
            if (root.ValueKind == JsonValueKind.Object &&
                root.EnumerateObject().GroupBy(property => property.Name).FirstOrDefault(group => group.Count() > 1) is { } repeated)
            {
                Refuse($"the field \"{Settings.SettingsReader.Printable(repeated.Key)}\" appears more than once");
            }
        }
        catch (JsonException exception)
        {
            throw new BuildInputException($"--snapshot-file / SNAPSHOT_FILE: {path}: not JSON ({exception.Message.Split('.')[0]}); use the snapshot.json that Dev wrote.");
        }
        if (root.ValueKind != JsonValueKind.Object) Refuse("not a JSON object");

        string Field(string name, bool required = true)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return required ? Refuse($"the field \"{name}\" is missing") : "";
            }
            return value.ValueKind == JsonValueKind.String ? value.GetString()! : Refuse($"the field \"{name}\" must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}");
        }

        var version = Field("version");
        var tag = Field("snapshotTag");
        var image = Field("image");
        var digest = Field("digest");
        var commit = Field("commit");
        var createdAt = Field("createdAt");
        var runUrl = Field("runUrl", required: false);

        if (!SnapshotTag.TryParse(tag, out var parsed)) Refuse($"snapshotTag \"{Settings.SettingsReader.Printable(tag)}\" is not X.Y.Z-SNAPSHOT-<7 lower-case hex>");
        if (parsed!.Version.ToString() != version) Refuse($"version \"{Settings.SettingsReader.Printable(version)}\" does not match the snapshot tag's {parsed.Version}");
        if (!ImageGrammar.Digest().IsMatch(digest)) Refuse($"digest \"{Settings.SettingsReader.Printable(digest)}\" is not sha256:<64 lower-case hex>");
        if (!FullSha().IsMatch(commit)) Refuse($"commit \"{Settings.SettingsReader.Printable(commit)}\" is not a full 40-hex commit");
        if (!commit.StartsWith(parsed.ShortSha, StringComparison.Ordinal)) Refuse($"commit {commit} does not match the snapshot tag's {parsed.ShortSha}");
        if (!image.EndsWith(":" + tag, StringComparison.Ordinal) || !ImageGrammar.Reference().IsMatch(image)) Refuse($"image \"{Settings.SettingsReader.Printable(image)}\" is not a reference ending in :{tag}");

        return new SnapshotRecord(version, tag, image, digest, commit, createdAt, runUrl.Length == 0 ? null : runUrl);
    }
}
