using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Tooling;
using Pipeline.Remote;
using Pipeline.Tests.Support;
using Path = System.IO.Path;

namespace Pipeline.Tests.Remote;

/// <summary>What a pin says about the key it pins, and which algorithms sign with which key type.</summary>
public sealed class HostKeyPinTests
{
    [TestCase("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINvjvplaidptsQI4KxxVGQvwlzT5ER0qeo7kzYWjnEdh", "ssh-ed25519")]
    [TestCase("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBG1FrW7TitSKfm5NpDDiYKDXUzBS13tZpaWZRX6HEFK1Ea6rLXX8umBKRLKDDY9MYBcTHOsJ/1s7+3yRn61E3Vs=", "ecdsa-sha2-nistp256")]
    public void AKnownHostsLineNamesTheTypeOfItsKey(string line, string keyType)
    {
        Assert.That(HostKeyPin.Parse($"203.0.113.7 {line}").KeyType, Is.EqualTo(keyType));
        Assert.That(HostKeyPin.Parse(HostKeyPin.Parse($"203.0.113.7 {line}").Fingerprint).KeyType, Is.Null, "a fingerprint names no type");
    }

    [TestCase("rsa-sha2-512", "ssh-rsa")]
    [TestCase("rsa-sha2-256", "ssh-rsa")]
    [TestCase("ssh-rsa", "ssh-rsa")]
    [TestCase("ssh-ed25519", "ssh-ed25519")]
    [TestCase("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384")]
    [TestCase("ssh-ed25519-cert-v01@openssh.com", null)]
    public void AHostKeyAlgorithmSignsWithTheKeyTypeItIsNamedAfter(string algorithm, string? keyType) =>
        Assert.That(HostKeyPin.KeyTypeOfAlgorithm(algorithm), Is.EqualTo(keyType));

}

/// <summary>
/// An Ubuntu host has an ed25519, an ecdsa and an rsa key, and SSH.NET prefers ed25519: a pin of
/// any of them must connect, not fail at connect time after Build and Push. Against the real
/// sshd of tests/env/, which has all three, through the pipeline's own connection.
/// </summary>
[Category(TestTiers.EndToEnd)]
public sealed class HostKeyPinConnectionTests
{
    [Test]
    public async Task EveryKeyTheHostHasConnectsWhenPinnedAsAKnownHostsLine()
    {
        var environment = TestEnvironment.Require();
        Assert.That(environment.SshHostKeyLines.Select(line => line.Split(' ')[1]), Is.EquivalentTo(new[] { "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa" }));
        foreach (var line in environment.SshHostKeyLines)
        {
            Assert.That(await Answer(environment, HostKeyPin.Parse(line)), Is.EqualTo(["pinned"]), line);
        }
    }

    [Test]
    public async Task EveryKeyTheHostHasConnectsWhenPinnedByTheFingerprintSshKeygenPrints()
    {
        var environment = TestEnvironment.Require();
        foreach (var kind in new[] { "ed25519", "ecdsa", "rsa" })
        {
            var printed = Command.Run("ssh-keygen", ["-l", "-f", HostKeyFile(environment, kind)]).Output.Split(' ')[1];
            Assert.That(await Answer(environment, HostKeyPin.Parse(printed)), Is.EqualTo(["pinned"]), kind);
        }
    }

    [Test]
    public async Task AKeyOfATypeTheHostDoesNotHaveIsRefusedBeforeAnythingIsSent()
    {
        var environment = TestEnvironment.Require();
        var otherKey = HostKeyPin.Parse($"127.0.0.1 {NewPublicKey("ecdsa", "384")}");

        var refused = await Assert.ThrowsAsync<BuildInputException>(() => Answer(environment, otherKey));

        Assert.That(refused!.Message, Is.EqualTo(
            $"The host 127.0.0.1:{environment.SshPort} has no ecdsa-sha2-nistp384 key, the type EC2_HOST_KEY pins ({otherKey}): refused before sending anything. Pin one of the keys its console lists."));
    }

    [Test]
    public async Task AFingerprintOfNoneOfTheHostsKeysIsRefusedNamingEveryKeyItShowed()
    {
        var environment = TestEnvironment.Require();
        var otherKey = HostKeyPin.Parse(HostKeyPin.Parse($"127.0.0.1 {NewPublicKey("ed25519", null)}").Fingerprint);
        var shown = environment.SshHostKeyLines.Select(line => $"{HostKeyPin.Parse(line)} ({line.Split(' ')[1]})");

        var refused = await Assert.ThrowsAsync<BuildInputException>(() => Answer(environment, otherKey));

        Assert.That(refused!.Message, Is.EqualTo(
            $"The host keys of 127.0.0.1:{environment.SshPort} are {string.Join(", ", shown)}; none is {otherKey} as EC2_HOST_KEY pins it: refused before sending anything. If the host was rebuilt, take its new key from its console."));
    }

    private static async Task<IReadOnlyList<string>> Answer(TestEnvironment environment, HostKeyPin pin)
    {
        var key = new Pipeline.Settings.Secret(File.ReadAllText(environment.SshKeyFile));
        using var connection = new SshConnection(new RemoteTarget(environment.SshHost, environment.SshPort, environment.SshUser, key, pin, acceptAnyHostKey: false, connectRetries: 0));
        var result = await new RunRemoteScript(connection, "answer", "echo pinned", TimeSpan.FromSeconds(30)).ExecuteAsync(new LogOnlyContext());
        return result.Output;
    }

    private static string HostKeyFile(TestEnvironment environment, string kind) =>
        Path.Combine(Path.GetDirectoryName(environment.SshKeyFile)!, $"ssh_host_{kind}_key.pub");

    private static string NewPublicKey(string type, string? bits)
    {
        var folder = Directory.CreateTempSubdirectory("key-").FullName;
        try
        {
            var file = Path.Combine(folder, "key");
            string[] size = bits is null ? [] : ["-b", bits];
            Assert.That(Command.Run("ssh-keygen", ["-q", "-t", type, .. size, "-N", "", "-f", file]).ExitCode, Is.Zero);
            return string.Join(' ', File.ReadAllText(file + ".pub").Split(' ')[..2]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A Cake context for code that only logs: the log is there, the rest is not needed.</summary>
    private sealed class LogOnlyContext : ICakeContext
    {
        public ICakeLog Log { get; } = new NullLog();
        public IFileSystem FileSystem => throw new NotSupportedException();
        public ICakeEnvironment Environment => throw new NotSupportedException();
        public IGlobber Globber => throw new NotSupportedException();
        public ICakeArguments Arguments => throw new NotSupportedException();
        public IProcessRunner ProcessRunner => throw new NotSupportedException();
        public IRegistry Registry => throw new NotSupportedException();
        public IToolLocator Tools => throw new NotSupportedException();
        public ICakeDataResolver Data => throw new NotSupportedException();
        public ICakeConfiguration Configuration => throw new NotSupportedException();
    }
}
