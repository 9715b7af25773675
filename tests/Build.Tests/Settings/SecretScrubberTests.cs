using System.Text;
using Pipeline.Settings;

namespace Pipeline.Tests.Settings;

/// <summary>Every text that leaves the process passes one scrubber; these are the forms a secret leaks in.</summary>
public sealed class SecretScrubberTests
{
    [Test]
    public void ASecretIsRedactedAsItIsTrimmedBase64AndUrlEncoded()
    {
        var value = "scrub-me+/=4711\r";
        _ = new Secret(value);

        var text = $"a {value} b {value.Trim()} c {Convert.ToBase64String(Encoding.UTF8.GetBytes(value))} d {Uri.EscapeDataString(value)}";

        Assert.That(SecretScrubber.Scrub(text), Is.EqualTo("a [REDACTED] b [REDACTED] c [REDACTED] d [REDACTED]"));
    }

    [Test]
    public void EveryLineOfAKeyIsRedacted()
    {
        _ = new Secret("-----BEGIN KEY-----\r\nc2NydWJiZWQtbGluZS1vbmU=\nc2NydWJiZWQtbGluZS10d28=\n-----END KEY-----\n");

        Assert.That(SecretScrubber.Scrub("line c2NydWJiZWQtbGluZS10d28= leaked"), Is.EqualTo("line [REDACTED] leaked"));
    }

    [Test]
    public void BasicAuthsBase64OfUserAndPasswordIsRedacted()
    {
        SecretScrubber.RegisterBasic("AWS", "basic-scrub-password");

        var header = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:basic-scrub-password"));

        Assert.That(SecretScrubber.Scrub($"Authorization: Basic {header}"), Is.EqualTo("Authorization: Basic [REDACTED]"));
    }

    [Test]
    public void TextWithoutSecretsIsLeftAlone()
    {
        _ = new Secret("another-secret-value");

        Assert.That(SecretScrubber.Scrub("deploying 1.2.0-SNAPSHOT-abc1234"), Is.EqualTo("deploying 1.2.0-SNAPSHOT-abc1234"));
    }

    [Test]
    public void ALoggedLineCanNeitherStartAWorkflowCommandNorSteerTheTerminal()
    {
        var logged = ScrubbingLog.Neutralise("version 1.0\n::error::forged\n\u001b[31mred");

        Assert.That(logged, Is.EqualTo("version 1.0\n ::error::forged\n\\u001b[31mred"));
    }
}
