namespace Pipeline.Tests.Support;

/// <summary>The test key pairs of tests/keys (public there, so trusted nowhere else).</summary>
public static class TestKeys
{
    public static string Folder => System.IO.Path.Combine(RepositoryRoot.Path, "tests", "keys");

    /// <summary>The pipeline's signing key in the tests: test repositories commit its public half as cosign.pub.</summary>
    public static string SigningKeyFile => System.IO.Path.Combine(Folder, "test-signing.key");

    public static string PublicKeyFile => System.IO.Path.Combine(Folder, "test-signing.pub");

    /// <summary>Somebody else's key.</summary>
    public static string OtherKeyFile => System.IO.Path.Combine(Folder, "other-signing.key");

    public static string OtherPublicKeyFile => System.IO.Path.Combine(Folder, "other-signing.pub");
}
