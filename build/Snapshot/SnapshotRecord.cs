using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Snapshot;

/// <summary>artifacts/snapshot.json: what Dev built and pushed, handed to Promote explicitly.</summary>
public sealed record SnapshotRecord(
    string Version, string SnapshotTag, string Image, string Digest, string Commit, string CreatedAt, string? RunUrl)
{
    public const string FileName = "snapshot.json";

    /// <summary>UTC, to the second, as the contract shows it: 2026-11-26T07:00:00Z.</summary>
    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options) + "\n";

    public static SnapshotRecord FromJson(string json) =>
        JsonSerializer.Deserialize<SnapshotRecord>(json, Options) ?? throw new JsonException("the record is null");
}
