namespace Pipeline.Tests.Support;

/// <summary>
/// The NUnit categories that make the tiers. A test with neither is in the fast tier
/// (`./test.sh --fast`): no services, no root, no Docker, nothing beyond loopback.
/// </summary>
public static class TestTiers
{
    /// <summary>Needs the real services of tests/env/ (Docker engine, registries, sshd, nginx, the doubles).</summary>
    public const string EndToEnd = "EndToEnd";

    /// <summary>Needs no service but compiles the build host from scratch, which takes minutes.</summary>
    public const string Builds = "Builds";
}
