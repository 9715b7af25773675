using System.Text.RegularExpressions;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Plans;

/// <summary>
/// What Dev and Promote would do, for a realistic set of settings, as golden files beside this
/// one: every command, request and remote script, secrets as [REDACTED]. A change in what a run
/// does shows in review as a change of these files. The dry run is the real run's code path, so
/// the plan is exactly what a run executes; the services it would ask are refused (127.0.0.1:9),
/// so the plan is the same on every machine. Fast tier: no service, no root.
/// </summary>
[Parallelizable]
public sealed partial class PlanTests
{
    private TempGitRepository _repository = null!;
    private string _commit = null!;

    // The one file per target, in the repository beside this test.
    private static string Golden(string target) => Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Plans", $"{target}.plan.txt");

    [SetUp]
    public void CreateRepository()
    {
        _repository = TempGitRepository.OfVersion("1.2.0");
        _repository.Write("infra/nginx-dev.conf", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "nginx-dev.conf")));
        _commit = _repository.CommitTheManifests();
    }

    [TearDown]
    public void DeleteRepository() => _repository.Dispose();

    /// <summary>A team's settings, with every service at an address that refuses at once.</summary>
    private Dictionary<string, string?> Settings() => new()
    {
        ["REGISTRY"] = "127.0.0.1:9",
        ["REGISTRY_TYPE"] = "ecr-public",
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLEPLAN0001",
        ["AWS_SECRET_ACCESS_KEY"] = "plan-secret-key-never-shown",
        ["AWS_ENDPOINT_URL_ECR_PUBLIC"] = "http://127.0.0.1:9/",
        ["AWS_PROFILE"] = null, ["AWS_SESSION_TOKEN"] = null, ["AWS_ENDPOINT_URL"] = null,
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent", ["AWS_CONFIG_FILE"] = "/nonexistent",
        ["EC2_HOST"] = "203.0.113.7",
        ["EC2_HOST_KEY"] = "203.0.113.7 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINvjvplaidptsQI4KxxVGQvwlzT5ER0qeo7kzYWjnEdh",
        ["EC2_SSH_KEY"] = "-----BEGIN OPENSSH PRIVATE KEY-----\nplan-ssh-key-never-shown\n-----END OPENSSH PRIVATE KEY-----\n",
        ["EC2_SSH_KEY_FILE"] = null,
        ["SIGNING_KEY"] = File.ReadAllText(TestKeys.SigningKeyFile),
        ["SIGNING_KEY_FILE"] = null,
        ["GITHUB_TOKEN"] = "plan-github-token-never-shown",
        ["GITHUB_REPOSITORY"] = "acme/book-shop",
        ["GITHUB_API_URL"] = "http://127.0.0.1:9/",
        ["SNAPSHOT_TAG"] = $"1.2.0-SNAPSHOT-{_commit[..7]}",
        ["SNAPSHOT_FILE"] = null,
        ["HTTP_RETRIES"] = "0",
        ["REGISTRY_USERNAME"] = null, ["REGISTRY_PASSWORD"] = null, ["BASE_IMAGE"] = null, ["INSECURE_ACCEPT_ANY_HOST_KEY"] = null,
    };

    /// <summary>The dry run's output up to the task report (which holds durations), with what differs between runs named.</summary>
    private string Plan(string target)
    {
        var result = HostProcess.Run(_repository.Root, Settings(), $"--target={target}", "--dry-run");
        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        var lines = result.StandardOutput.Replace("\r\n", "\n").Split('\n').Select(line => line.TrimEnd()).ToList();
        var report = lines.FindIndex(line => ReportHeader().IsMatch(line));
        Assert.That(report, Is.GreaterThan(0), "the task report ends the plan");
        var text = string.Join("\n", lines.Take(report)).TrimEnd() + "\n";
        text = text.Replace(_repository.Root, "<REPO>").Replace(_commit, "<COMMIT>").Replace(_commit[..7], "<SHA7>");
        return Created().Replace(text, "CREATED=<NOW>");
    }

    [TestCase("Dev")]
    [TestCase("Promote")]
    public void TheTargetsPlanIsTheReviewedOne(string target)
    {
        var plan = Plan(target);

        var signingKeyLines = File.ReadAllLines(TestKeys.SigningKeyFile).Where(line => !line.StartsWith("-----", StringComparison.Ordinal));
        foreach (var secret in new[] { "plan-secret-key-never-shown", "plan-ssh-key-never-shown", "plan-github-token-never-shown" }.Concat(signingKeyLines))
        {
            Assert.That(plan, Does.Not.Contain(secret));
        }
        var actual = Path.Combine(Path.GetTempPath(), $"{target}.plan.txt");
        File.WriteAllText(actual, plan);
        Assert.That(plan, Is.EqualTo(File.Exists(Golden(target)) ? File.ReadAllText(Golden(target)) : ""),
            $"{target}'s plan changed: review `diff {Golden(target)} {actual}`, and when the change is meant, copy the new plan over the old.");
    }

    /// <summary>Signing turned off on purpose: no key is needed or read, the plan signs nothing and says every deploy will refuse the image.</summary>
    [Test]
    public void WithSigningOffThePlanSignsNothingAndSaysEveryDeployRefusesTheImage()
    {
        var settings = Settings();
        settings["SIGNING_KEY"] = null;
        var result = HostProcess.Run(_repository.Root, settings, "--target=Dev", "--dry-run", "--signing=off");

        Assert.That(result.ExitCode, Is.Zero, result.AllOutput);
        Assert.That(result.StandardOutput, Does.Contain("Signing is off (--signing=off): 127.0.0.1:9/book-shop@<the digest the registry reports after the push> stays unsigned, and every deploy will refuse it."));
        Assert.That(result.StandardOutput, Does.Not.Contain("would run: sign "));
        Assert.That(result.StandardOutput, Does.Not.Contain("SIGNING_KEY"), "no key is asked for");
        Assert.That(result.StandardOutput, Does.Contain("The plan verifies the signature of 127.0.0.1:9/book-shop@<the digest the registry reports after the push> with cosign.pub"));
    }

    /// <summary>Every remote script of the plans, as the here-documents print them.</summary>
    public static IEnumerable<TestCaseData> RemoteScripts()
    {
        foreach (var target in new[] { "Dev", "Promote" })
        {
            var lines = File.Exists(Golden(target)) ? File.ReadAllLines(Golden(target)) : [];
            for (var index = 0; index < lines.Length; index++)
            {
                var start = HereDocument().Match(lines[index]);
                if (!start.Success) continue;
                var end = Array.IndexOf(lines, start.Groups["end"].Value, index + 1);
                yield return new TestCaseData(string.Join("\n", lines[(index + 1)..end]) + "\n").SetArgDisplayNames($"{target}: {start.Groups["purpose"].Value}");
            }
        }
    }

    [TestCaseSource(nameof(RemoteScripts))]
    public void EveryRemoteScriptParsesAndShellcheckFindsNothing(string script)
    {
        var file = Path.Combine(Path.GetTempPath(), $"plan-script-{Guid.NewGuid():N}.sh");
        File.WriteAllText(file, script);
        try
        {
            Assert.That(script, Does.StartWith("set -eu\n"), "every remote script stops at its first failure");
            foreach (var shell in new[] { "bash", "sh" })
            {
                var parsed = Command.Run(shell, ["-n", file]);
                Assert.That(parsed.ExitCode, Is.Zero, $"{shell} -n: {parsed.Error}");
            }
            var shellcheck = Command.Run("shellcheck", ["--version"], null, allowMissing: true);
            if (shellcheck is null)
            {
                if (string.Equals(System.Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail("shellcheck is not installed (apt-get install shellcheck)");
                Assert.Ignore("shellcheck is not installed (apt-get install shellcheck)");
            }
            // POSIX sh, as the remote host's `sh -s` and SSH.NET's exec run it; every warning counts.
            var checkedScript = Command.Run("shellcheck", ["--shell=sh", "--severity=warning", "--format=gcc", file]);
            Assert.That(checkedScript.ExitCode, Is.Zero, checkedScript.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"^\s+Task\s+Duration\s+Status")]
    private static partial Regex ReportHeader();

    [GeneratedRegex(@"CREATED=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")]
    private static partial Regex Created();

    [GeneratedRegex(@"^\[dry-run\] would run: ssh -p \d+ \S+ sh -s <<'(?<end>\w+)'    # (?<purpose>.*)$")]
    private static partial Regex HereDocument();
}
