using System.Security.Cryptography;

namespace Pipeline.Remote;

/// <summary>
/// The EC2 host's key, pinned: a known_hosts line ("host ssh-ed25519 AAAA...") or an OpenSSH
/// fingerprint ("SHA256:..."). Either way it is compared as the SHA-256 of the host's key blob.
/// </summary>
public sealed record HostKeyPin(string Fingerprint)
{
    private static readonly string[] KeyTypes =
        ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"];

    public static HostKeyPin Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("SHA256:", StringComparison.Ordinal))
        {
            var encoded = trimmed["SHA256:".Length..].TrimEnd('=');
            return DecodesTo32Bytes(encoded)
                ? new HostKeyPin($"SHA256:{encoded}")
                : throw new FormatException("is not a SHA256: fingerprint as ssh-keygen -lf prints it");
        }

        var fields = trimmed.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var typeIndex = Array.FindIndex(fields, field => KeyTypes.Contains(field));
        if (typeIndex < 0 || typeIndex + 1 >= fields.Length)
        {
            throw new FormatException("is neither a known_hosts line (host key-type base64) nor a SHA256: fingerprint");
        }
        try
        {
            return ForKey(Convert.FromBase64String(fields[typeIndex + 1]));
        }
        catch (FormatException)
        {
            throw new FormatException("has a key that is not base64");
        }
    }

    public static HostKeyPin ForKey(byte[] keyBlob) =>
        new($"SHA256:{Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=')}");

    public bool Matches(byte[] keyBlob) => ForKey(keyBlob) == this;

    public override string ToString() => Fingerprint;

    private static bool DecodesTo32Bytes(string unpadded)
    {
        var padded = unpadded.PadRight(unpadded.Length + (4 - unpadded.Length % 4) % 4, '=');
        var buffer = new byte[48];
        return Convert.TryFromBase64String(padded, buffer, out var written) && written == 32;
    }
}
