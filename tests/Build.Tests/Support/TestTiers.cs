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
    /// Also end to end, and runs Promote, whose production is a NodePort of the MicroK8s stand-in
    /// (30080, manifests/' own): these fixtures run one after another in a `dotnet test` process of
    /// their own, beside the other end-to-end processes (test.sh). The processes share no port,
    /// container, repository or SSH user (Promote logs in as PromoteSshUser).
    /// </summary>
    public const string ProductionNode = "ProductionNode";

    /// <summary>Like <see cref="ProductionNode"/>, on NodePort 30081 (PromoteRun.AsideNodePort): a third process beside the two others.</summary>
    public const string ProductionNodeAside = "ProductionNodeAside";

    /// <summary>Needs no service but compiles the build host from scratch, which takes minutes.</summary>
    public const string Builds = "Builds";
}
