using System.Diagnostics;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Plans;

/// <summary>
/// DeployDev's remote script, as the reviewed plan prints it (Dev.plan.txt), run by a real shell in
/// a temporary folder against stand-ins of docker and curl that record their calls and answer as
/// the real ones do for the case at hand: the paths the end-to-end tests cannot reach cheaply
/// (a new build that never answers, a first deploy, another deploy holding the lock).
/// </summary>
[Parallelizable]
public sealed class DevDeployScriptTests
{
    private const string Image = "127.0.0.1:9/book-shop:1.2.0-SNAPSHOT-<SHA7>";
    private const string OldImage = "127.0.0.1:9/book-shop:1.2.0-SNAPSHOT-0000000";
    private string _folder = null!;
    private string _container = null!;

    [SetUp]
    public void MakeTheHost()
    {
        _folder = Directory.CreateTempSubdirectory("dev-deploy-").FullName;
        _container = $"dev-app-{Guid.NewGuid():N}"[..20];
        Directory.CreateDirectory(Path.Combine(_folder, "containers"));
        // docker as the script uses it: containers are files named after them, holding their image.
        Stub("docker", """
            echo "docker $*" >>"$HOST/calls"
            case "$1" in
              pull|tag) exit 0 ;;
              inspect) name="$(eval echo "\${$#}")"
                if [ -f "$HOST/containers/$name" ]; then cat "$HOST/containers/$name"; exit 0; fi
                echo "Error: No such object: $name" >&2; exit 1 ;;
              run) name=""; image=""
                while [ $# -gt 0 ]; do case "$1" in --name) name="$2"; shift 2 ;; --publish|--env|--restart) shift 2 ;; --detach) shift ;; run) shift ;; *) image="$1"; shift ;; esac; done
                echo "$image" >"$HOST/containers/$name"; echo "0123456789ab" ;;
              stop) name="$(eval echo "\${$#}")"; [ -f "$HOST/containers/$name" ] || { echo "Error response from daemon: No such container: $name" >&2; exit 1; } ;;
              rm) name="$(eval echo "\${$#}")"; rm -f "$HOST/containers/$name" ;;
              logs) echo "Traceback (most recent call last): the app did not start" ;;
              image) case "$2" in
                  inspect) echo "sha256:$(echo "$5" | sha256sum | cut -c1-64)" ;;
                  ls|prune) ;;
                esac ;;
              *) echo "unexpected docker $*" >&2; exit 2 ;;
            esac
            """);
        // curl as the health and version checks use it: the app answers when HEALTHY says so.
        Stub("curl", """
            echo "curl $*" >>"$HOST/calls"
            [ "${HEALTHY:-no}" = yes ] || { echo "curl: (7) Failed to connect" >&2; exit 7; }
            case "$*" in
              */version*) printf '{"version": "1.2.0", "commit": "<COMMIT>"}' ;;
              *) printf 'ok' ;;
            esac
            """);
    }

    [TearDown]
    public void RemoveTheHost()
    {
        Directory.Delete(_folder, recursive: true);
        File.Delete($"/tmp/book-shop-deploy-{_container}.lock");
    }

    private void Stub(string name, string body)
    {
        File.WriteAllText(Path.Combine(_folder, name), "#!/bin/sh\n" + body.Replace("\r\n", "\n") + "\n");
        Assert.That(Command.Run("chmod", ["+x", Path.Combine(_folder, name)]).ExitCode, Is.Zero);
    }

    /// <summary>The plan's "replace dev-app" script, for this test's container and a short health timeout.</summary>
    private string Script()
    {
        var plan = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Plans", "Dev.plan.txt"));
        var start = Array.FindIndex(plan, line => line.EndsWith("# replace dev-app, at most 720s", StringComparison.Ordinal));
        Assert.That(start, Is.GreaterThan(0), "Dev's plan replaces dev-app");
        var end = Array.IndexOf(plan, "BOOK_SHOP_SCRIPT", start + 1);
        return string.Join("\n", plan[(start + 1)..end]
            .Select(line => line switch
            {
                "container='dev-app'" => $"container='{_container}'",
                "timeout='60'" => "timeout='1'",
                _ => line,
            })) + "\n";
    }

    private (int ExitCode, string Output, string Error) RunScript(bool healthy)
    {
        var start = new ProcessStartInfo("sh", ["-c", Script()]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder };
        start.Environment["PATH"] = $"{_folder}:{System.Environment.GetEnvironmentVariable("PATH")}";
        start.Environment["HOST"] = _folder;
        start.Environment["HEALTHY"] = healthy ? "yes" : "no";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "the script ends");
        return (process.ExitCode, output.Result, error.Result);
    }

    private string Runs(string container) => File.Exists(Path.Combine(_folder, "containers", container)) ? File.ReadAllText(Path.Combine(_folder, "containers", container)).Trim() : "nothing";

    private string[] Calls => File.ReadAllLines(Path.Combine(_folder, "calls"));

    [Test]
    public void ANewBuildThatNeverAnswersIsRemovedAndTheOldContainerServesOn()
    {
        File.WriteAllText(Path.Combine(_folder, "containers", _container), OldImage);

        var (exitCode, _, error) = RunScript(healthy: false);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(error, Does.Contain($"{_container}-next did not answer /healthz and /version with this build within 1s; its last log lines:"));
        Assert.That(error, Does.Contain("  | Traceback (most recent call last): the app did not start"));
        Assert.That(error.TrimEnd(), Does.EndWith($"the new build never took traffic; {_container} still runs {OldImage}"));
        Assert.That(Runs(_container), Is.EqualTo(OldImage));
        Assert.That(Runs($"{_container}-next"), Is.EqualTo("nothing"));
        Assert.That(Calls, Has.None.StartWith($"docker stop --timeout 10 {_container}"), "the old container is never stopped");
    }

    [Test]
    public void AFirstDeployWithNoContainerYetStartsIt()
    {
        var (exitCode, output, error) = RunScript(healthy: true);

        Assert.That(exitCode, Is.Zero, error);
        Assert.That(output, Does.Contain($"replacing nothing with {Image}; the backup port serves meanwhile"));
        Assert.That(output, Does.Contain($"{_container} answers with the new build"));
        Assert.That(Runs(_container), Is.EqualTo(Image));
        Assert.That(Runs($"{_container}-next"), Is.EqualTo("nothing"));
    }

    [Test]
    public void AnotherDeployHoldingTheLockIsWaitedForAndSaidSo()
    {
        using var holder = Process.Start(new ProcessStartInfo("flock", [$"/tmp/book-shop-deploy-{_container}.lock", "sleep", "1.5"]))!;
        Thread.Sleep(300);

        var (exitCode, output, error) = RunScript(healthy: true);
        holder.WaitForExit();

        Assert.That(exitCode, Is.Zero, error);
        Assert.That(output, Does.StartWith($"waiting for another deploy of {_container} to finish\n"));
        Assert.That(Runs(_container), Is.EqualTo(Image));
    }
}
