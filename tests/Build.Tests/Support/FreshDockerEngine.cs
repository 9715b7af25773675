namespace Pipeline.Tests.Support;

/// <summary>
/// A second, real Docker engine with an empty data root: what a fresh CI runner's engine holds,
/// where the main engine's images and build cache cannot help. Its own bridge: with
/// --bridge=none, dockerd removes the main engine's docker0.
/// </summary>
public sealed class FreshDockerEngine : IDisposable
{
    private const string Bridge = "freshbr0";
    private readonly string _folder = Directory.CreateTempSubdirectory("fresh-dockerd-").FullName;
    private readonly System.Diagnostics.Process _daemon;

    public string Host => $"unix://{_folder}/docker.sock";

    public FreshDockerEngine()
    {
        Command.Run("ip", ["link", "add", "name", Bridge, "type", "bridge"]);
        OnTheMachine("ip", "addr", "replace", "10.213.80.1/24", "dev", Bridge);
        OnTheMachine("ip", "link", "set", Bridge, "up");
        var start = new System.Diagnostics.ProcessStartInfo("dockerd") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--data-root", $"{_folder}/data", "--exec-root", $"{_folder}/exec", "--pidfile", $"{_folder}/pid",
                     "-H", Host, "--bridge", Bridge, "--iptables=false" })
        {
            start.ArgumentList.Add(arg);
        }
        _daemon = System.Diagnostics.Process.Start(start)!;
        _daemon.OutputDataReceived += (_, _) => { };
        _daemon.ErrorDataReceived += (_, _) => { };
        _daemon.BeginOutputReadLine();
        _daemon.BeginErrorReadLine();
        for (var attempt = 0; Docker("info").ExitCode != 0; attempt++)
        {
            if (attempt == 150) throw new InvalidOperationException("The fresh Docker engine did not start within 30 s.");
            Thread.Sleep(200);
        }
    }

    public CommandResult Docker(params string[] args) => Command.Run("docker", ["-H", Host, .. args]);

    public string Succeed(params string[] args)
    {
        var result = Docker(args);
        Assert.That(result.ExitCode, Is.Zero, $"docker {string.Join(' ', args)} (fresh engine): {result.Error}");
        return result.Output.Trim();
    }

    /// <summary>Copies an image from the main engine, as a runner would pull a public base image.</summary>
    public void Load(string image)
    {
        var copy = Command.Run("bash", ["-c", $"set -o pipefail; docker save \"$1\" | docker -H \"$2\" load --quiet", "load", image, Host]);
        Assert.That(copy.ExitCode, Is.Zero, copy.Error);
    }

    private static void OnTheMachine(string file, params string[] args)
    {
        var result = Command.Run(file, args);
        Assert.That(result.ExitCode, Is.Zero, $"{file} {string.Join(' ', args)}: {result.Error}");
    }

    public void Dispose()
    {
        // SIGTERM: dockerd then unmounts its layers before it exits.
        Command.Run("kill", ["-TERM", _daemon.Id.ToString()]);
        if (!_daemon.WaitForExit(30_000)) _daemon.Kill();
        Command.Run("ip", ["link", "delete", Bridge]);
        Command.Run("rm", ["-rf", _folder]);
    }
}
