using System.Security.Cryptography;

namespace Pipeline.Remote;

/// <summary>
/// The EC2 host's key, pinned: a known_hosts line ("host ssh-ed25519 AAAA...") or an OpenSSH
/// fingerprint ("SHA256:..."). Either way it is compared as the SHA-256 of the host's key blob.
/// A known_hosts line also names the key's type (<see cref="KeyType"/>); a fingerprint does not.
/// </summary>
public sealed record HostKeyPin(string Fingerprint)
{
    private static readonly string[] KeyTypes =
        ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"];

    /// <summary>The types of host key a server may have, in the order a fingerprint pin asks for them.</summary>
    public static readonly IReadOnlyList<string> HostKeyTypes = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"];

    /// <summary>The pinned key's type ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"...), when the pin is a known_hosts line.</summary>
    public string? KeyType { get; init; }

    /// <summary>
    /// The type of key a host-key algorithm signs with: RSA keys sign as rsa-sha2-512, rsa-sha2-256
    /// or ssh-rsa; the others are named after their key. Certificates pin no plain key: null.
    /// </summary>
    public static string? KeyTypeOfAlgorithm(string algorithm) => algorithm switch
    {
        _ when algorithm.Contains("-cert-", StringComparison.Ordinal) => null,
        "rsa-sha2-512" or "rsa-sha2-256" or "ssh-rsa" => "ssh-rsa",
        _ => algorithm,
    };

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
        if (fields.Length > 0 && fields[0] is "@revoked" or "@cert-authority")
        {
            // A revoked key is the one never to trust; a CA line pins no host key.
            throw new FormatException($"is a {fields[0]} known_hosts line, which pins no host key: give the host's own key line");
        }
        var typeIndex = Array.FindIndex(fields, field => KeyTypes.Contains(field));
        if (typeIndex < 0 || typeIndex + 1 >= fields.Length)
        {
            throw new FormatException("is neither a known_hosts line (host key-type base64) nor a SHA256: fingerprint");
        }
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(fields[typeIndex + 1]);
        }
        catch (FormatException)
        {
            throw new FormatException("has a key that is not base64");
        }
        // An SSH public key blob starts with its own type as an SSH string: a line whose base64
        // is not that key (a typo, a pasted fingerprint) fails here, not at connect after Push.
        return KeyTypeOf(blob) == fields[typeIndex]
            ? ForKey(blob) with { KeyType = fields[typeIndex] }
            : throw new FormatException($"has base64 that is not an {fields[typeIndex]} public key");
    }

    private static string? KeyTypeOf(byte[] blob)
    {
        if (blob.Length < 4) return null;
        var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(blob);
        return length is > 0 and < 64 && blob.Length >= 4 + length ? System.Text.Encoding.ASCII.GetString(blob, 4, length) : null;
    }

    public static HostKeyPin ForKey(byte[] keyBlob) =>
        new($"SHA256:{Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=')}");

    public bool Matches(byte[] keyBlob) => ForKey(keyBlob).Fingerprint == Fingerprint;

    public override string ToString() => Fingerprint;

    private static bool DecodesTo32Bytes(string unpadded)
    {
        var padded = unpadded.PadRight(unpadded.Length + (4 - unpadded.Length % 4) % 4, '=');
        var buffer = new byte[48];
        return Convert.TryFromBase64String(padded, buffer, out var written) && written == 32;
    }
}
