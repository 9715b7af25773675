using System.Security.Cryptography;
using Pipeline.Settings;

namespace Pipeline.Signing;

/// <summary>
/// The private half: an ECDSA P-256 key in PEM (PKCS#8 as `openssl genpkey` writes it, or SEC1 as
/// `openssl ecparam -genkey` does), read by .NET's own PEM reader. cosign's scheme: ECDSA over the
/// SHA-256 of the payload, the signature DER-encoded and sent in base64.
/// </summary>
public sealed class SigningKey : IDisposable
{
    private readonly ECDsa _key;

    private SigningKey(ECDsa key)
    {
        _key = key;
        PublicKey = TrustedKey.Of(key.ExportSubjectPublicKeyInfo());
    }

    public TrustedKey PublicKey { get; }

    /// <summary>The key, or a FormatException whose message ends a sentence and never quotes the key.</summary>
    public static SigningKey Read(Secret pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem.Reveal());
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException("is not an unencrypted ECDSA P-256 private key in PEM (PKCS#8 or SEC1; see the README's Signing)");
        }
        if (!TrustedKey.IsP256(key))
        {
            key.Dispose();
            throw new FormatException("is an EC key, but not on the P-256 curve that cosign's signatures use");
        }
        try
        {
            // .NET's reader takes a public key too, which could verify but never sign.
            key.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw new FormatException("is a public key: set the private half here (its public half belongs in cosign.pub)");
        }
        return new SigningKey(key);
    }

    public string Sign(byte[] payload) => Convert.ToBase64String(_key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    public void Dispose() => _key.Dispose();
}

/// <summary>One public key a signature may be made by: its SubjectPublicKeyInfo, and an ID to name it.</summary>
public sealed class TrustedKey
{
    private readonly byte[] _subjectPublicKeyInfo;

    private TrustedKey(byte[] subjectPublicKeyInfo) => _subjectPublicKeyInfo = subjectPublicKeyInfo;

    /// <summary>The first 16 hex digits of the key's SHA-256: how the log names a key (public information).</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(_subjectPublicKeyInfo))[..16];

    public static TrustedKey Of(byte[] subjectPublicKeyInfo) => new(subjectPublicKeyInfo);

    public bool Verifies(byte[] payload, string base64Signature)
    {
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(base64Signature);
        }
        catch (FormatException)
        {
            return false;
        }
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(_subjectPublicKeyInfo, out _);
        return key.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    public bool SameAs(TrustedKey other) => _subjectPublicKeyInfo.AsSpan().SequenceEqual(other._subjectPublicKeyInfo);

    internal static bool IsP256(ECDsa key) => key.ExportParameters(false).Curve.Oid.Value == ECCurve.NamedCurves.nistP256.Oid.Value;
}

/// <summary>
/// The public keys committed in the repository (cosign.pub): one PEM "PUBLIC KEY" block, or
/// several during a rotation; a signature by any of them is accepted.
/// </summary>
public sealed class TrustedKeys
{
    private TrustedKeys(string source, IReadOnlyList<TrustedKey> keys) => (Source, Keys) = (source, keys);

    /// <summary>Where the keys were read, as messages name it (cosign.pub).</summary>
    public string Source { get; }

    public IReadOnlyList<TrustedKey> Keys { get; }

    public string Describe() => $"{Source} ({string.Join(", ", Keys.Select(key => key.Id))})";

    /// <summary>The keys, or a FormatException whose message ends a sentence.</summary>
    public static TrustedKeys Read(string source, string pem)
    {
        var keys = new List<TrustedKey>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            var data = Convert.FromBase64String(rest[fields.Base64Data].ToString());
            rest = rest[fields.Location.End..];
            if (label != "PUBLIC KEY")
            {
                throw new FormatException($"holds a \"{label}\" block: it must hold public keys only (\"PUBLIC KEY\", as `openssl ec -pubout` and cosign write them); never commit a private key");
            }
            using var key = ECDsa.Create();
            try
            {
                key.ImportSubjectPublicKeyInfo(data, out _);
            }
            catch (CryptographicException)
            {
                throw new FormatException($"holds a public key that is not an ECDSA key (block {keys.Count + 1}): cosign's signatures use ECDSA P-256");
            }
            if (!TrustedKey.IsP256(key)) throw new FormatException($"holds an EC public key that is not on the P-256 curve (block {keys.Count + 1})");
            keys.Add(TrustedKey.Of(data));
        }
        if (keys.Count == 0) throw new FormatException("holds no PEM public key (\"-----BEGIN PUBLIC KEY-----\")");
        return new TrustedKeys(source, keys);
    }

    /// <summary>One key alone: what Push asks of an existing signature before it signs again.</summary>
    public static TrustedKeys Only(string source, TrustedKey key) => new(source, [key]);

    public bool Contains(TrustedKey key) => Keys.Any(key.SameAs);

    public TrustedKey? SignerOf(byte[] payload, string base64Signature) => Keys.FirstOrDefault(key => key.Verifies(payload, base64Signature));
}
