using System.Diagnostics;
using System.Text.Json;

namespace Pipeline.Tests.Support;

/// <summary>
/// The real services of tests/env/start.sh (Docker engine, registry, sshd, ECR Public and GitHub
/// doubles, the MicroK8s stand-in, the token-mode registry with the ECR Public token double).
/// Without them the end-to-end tests are skipped with the reason; with CI=true they fail.
/// </summary>
public sealed record TestEnvironment(
    string BaseImage, string Registry, string RegistryLog, string RegistryUsername, string RegistryPassword,
    string EcrRegistryPassword, string EcrEndpoint, string EcrLog, string AwsAccessKeyId, string AwsSecretAccessKey,
    string SshHost, int SshPort, string SshUser, string SshKeyFile, string SshHostKeyLine,
    string GitHubApiUrl, string GitHubStateUrl, string GitHubToken, string Microk8s, string Microk8sState,
    string Microk8sAuthFile, string ContainersConf, string TokenRegistry, string TokenServiceLog, string TokenServiceControl,
    string DevNginxUrl, string SshdLog, IReadOnlyList<string> SshHostKeyLines, string DevNginxSite, string DevNginxConf,
    string PromoteSshUser, string AsideSshUser)
{
    private static readonly Lazy<(TestEnvironment? Environment, string Reason)> Loaded = new(Load);

    /// <summary>
    /// How many SSH logins of one user the test host's sshd has accepted so far: its log, one line
    /// each. Per user, since the Promote tests (as PromoteSshUser) run beside the others (as SshUser).
    /// </summary>
    public int SshLogins(string user) => File.ReadLines(SshdLog).Count(line => line.StartsWith($"Accepted publickey for {user} ", StringComparison.Ordinal));

    public static TestEnvironment Require()
    {
        var (environment, reason) = Loaded.Value;
        if (environment is not null) return environment;
        var message = $"The end-to-end test environment is not available: {reason}. Start it with tests/env/start.sh (as root).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }
        Assert.Ignore(message);
        return null!;
    }

    private static (TestEnvironment?, string) Load()
    {
        var path = System.IO.Path.Combine(RepositoryRoot.Path, ".build", "test-env", "env.json");
        if (!File.Exists(path)) return (null, $"{path} does not exist");
        var environment = JsonSerializer.Deserialize<TestEnvironment>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        var docker = DockerEngine.Run("info", "--format", "{{.ServerVersion}}");
        return docker.ExitCode == 0 ? (environment, "") : (null, "the Docker engine does not answer");
    }
}

public sealed record CommandResult(int ExitCode, string Output, string Error);

/// <summary>The docker CLI, for tests to set up and inspect real effects.</summary>
public static class DockerEngine
{
    public static CommandResult Run(params string[] args) => Command.Run("docker", args);

    public static string Succeed(params string[] args)
    {
        var result = Run(args);
        Assert.That(result.ExitCode, Is.Zero, $"docker {string.Join(' ', args)}: {result.Error}");
        return result.Output.Trim();
    }

    /// <summary>
    /// Removes tags (and images left untagged) but never their untagged parents: the three
    /// end-to-end processes build the same Dockerfile on this one engine, and the classic builder
    /// reuses another build's intermediate images as its cache. A pruning `docker image rm` took
    /// one away under a running build ("failed to get digest sha256:...: no such file").
    /// </summary>
    public static CommandResult RemoveImages(params string[] references) =>
        Run(["image", "rm", "--force", "--no-prune", .. references]);
}

public static class Command
{
    public static CommandResult Run(string file, IEnumerable<string> args, string? workingDirectory = null) =>
        Run(file, args, workingDirectory, allowMissing: false)!;

    /// <summary>With allowMissing, a program that is not installed gives null instead of an exception.</summary>
    public static CommandResult? Run(string file, IEnumerable<string> args, string? workingDirectory, bool allowMissing)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception) when (allowMissing)
        {
            return null;
        }
        using var _ = process;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new CommandResult(process.ExitCode, output.Result, error.Result);
    }
}

public static class FreePort
{
    public static int Next()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
