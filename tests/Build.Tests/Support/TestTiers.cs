namespace Pipeline.Tests.Support;

/// <summary>
/// The NUnit categories that make the tiers. A test with neither is in the fast tier
/// (`./test.sh --fast`): no services, no root, no Docker, nothing beyond loopback.
/// </summary>
public static class TestTiers
{
    /// <summary>Needs the real services of tests/env/ (Docker engine, registries, sshd, nginx, the doubles).</summary>
    public const string EndToEnd = "EndToEnd";

    /// <summary>
    /// Also end to end, and runs Promote, whose production is the MicroK8s stand-in's one
    /// NodePort (30080): these fixtures run one after another in a `dotnet test` process of their
    /// own, beside the process of the other end-to-end fixtures (test.sh). The two sides share no
    /// port, container, repository or SSH user (Promote logs in as PromoteSshUser).
    /// </summary>
    public const string ProductionNode = "ProductionNode";

    /// <summary>Needs no service but compiles the build host from scratch, which takes minutes.</summary>
    public const string Builds = "Builds";
}
