using Cake.Core.Diagnostics;
using Pipeline.Effects;
using Pipeline.Remote;
using Pipeline.Settings;

namespace Pipeline.Environments;

/// <summary>
/// A host over pinned SSH that runs the app as one container behind nginx, which sends to the
/// container's host port and, while it is replaced, to the backup port (dev on the EC2 host, as
/// infra/nginx-dev.conf sets it up). The deploy keeps the host's nginx site the repository's,
/// swaps the container with no failed request, and is verified by what the host then runs: the
/// container's image digest and its /version.
/// </summary>
[EnvironmentKind("docker-host")]
public sealed class DockerHost(string name, string url, SshConnection connection, AppContainer app, NginxSite site, string siteFile)
    : DeployEnvironment(name, url)
{
    // Pulling a new image can take a while before the health timeout starts counting.
    private static readonly TimeSpan PullAllowance = TimeSpan.FromMinutes(10);

    // Waiting for another run's change of the site, then nginx -t and a reload.
    private static readonly TimeSpan SiteAllowance = TimeSpan.FromMinutes(3);

    private static readonly TimeSpan ReadAllowance = TimeSpan.FromSeconds(30);

    public override SshConnection Connection { get; } = connection;

    public AppContainer App { get; } = app;

    public NginxSite Site { get; } = site;

    /// <summary>The nginx site in the repository, relative to its root (infra/nginx-dev.conf for dev).</summary>
    public string SiteFile { get; } = siteFile;

    public static readonly IReadOnlyList<string> Keys =
        [.. SshReach.Keys, "container", "host-port", "backup-port", "app-port", "health-path", "health-timeout", "site", "nginx-conf", "site-file", "url"];

    public static DockerHost Read(EnvironmentSettings settings)
    {
        var host = SshReach.Read(settings);
        var hostPort = settings.Optional("host-port", 4000, Parse.Port);
        var backupPort = settings.Optional("backup-port", 4001, Parse.Port);
        if (backupPort == hostPort)
        {
            settings.Invalid("backup-port", $"is {settings.VariableOf("host-port")} too ({hostPort}): give nginx's backup port (4001 in infra/nginx-dev.conf)");
        }
        var app = new AppContainer(
            settings.Optional("container", $"{settings.Name}-app", Parse.ContainerName),
            hostPort,
            backupPort,
            settings.Optional("app-port", 8000, Parse.Port),
            settings.Optional("health-path", "/healthz", Parse.UrlPath),
            settings.Optional("health-timeout", TimeSpan.FromSeconds(60), Parse.Duration));
        var site = new NginxSite(
            settings.Optional("site", $"/etc/nginx/conf.d/book-shop-{settings.Name}.conf", Parse.RemotePath),
            settings.Optional("nginx-conf", "/etc/nginx/nginx.conf", Parse.RemotePath));
        var url = settings.Optional("url", $"http://{host.Host}:8080/", text => Parse.HttpUrl(text).ToString());
        return new DockerHost(settings.Name, url, new SshConnection(host), app, site, settings.Optional("site-file", $"infra/nginx-{settings.Name}.conf", Parse.FilePath));
    }

    public override string ToString() => $"{Url} (nginx -> 127.0.0.1:{App.HostPort} -> container {App.Name})";

    public override async Task<string> Deploy(BuildContext context, DeployableImage image)
    {
        var site = SiteInstall.FromRepository(context.RepositoryRoot, SiteFile, Name, Site);
        if (site is null)
        {
            context.Log.Warning("{0} does not exist: the {1} site on the host is left as it is.", SiteFile, Name);
        }
        else
        {
            await context.Effects.Perform(new RunRemoteScript(Connection, $"keep the {Name} site {Site.Path} the repository's", site.Script(), SiteAllowance));
        }

        var deploy = new ContainerSwap(image.Reference.Pinned(image.Digest), App, image.Version, image.Commit);
        // Two health waits at most: the new version on the backup port, then on the host port.
        await context.Effects.Perform(new RunRemoteScript(Connection, $"replace {App.Name}", deploy.Script(), 2 * App.HealthTimeout + PullAllowance)
        {
            StateProbe = deploy.StateProbe(),
        });

        var running = await WhatRunsNow(context);
        if (context.IsDryRun) return $"{Name}: {App.Name} runs {image.Reference}";
        var problems = running.Problems(image);
        if (problems.Count > 0)
        {
            throw new BuildInputException($"{Name} does not run {image.Label} after the deploy: {string.Join("; ", problems)}. Read the log above, fix, and re-run.");
        }
        return $"{Name}: {App.Name} runs {image.Reference.Repository}@{image.Digest} and answers {image.Version} ({image.Commit[..7]})";
    }

    /// <summary>The container's image, by the repository digests its image has, and its /version on the host port.</summary>
    public override async Task<RunningNow> WhatRunsNow(BuildContext context)
    {
        var read = await context.Effects.Perform(new RunRemoteScript(Connection, $"read what {App.Name} runs",
            ContainerSwap.WhatRunsScript(App), ReadAllowance) { LogsOutput = false });
        string? Field(string name) => read.Output.FirstOrDefault(line => line.StartsWith(name + ": ", StringComparison.Ordinal))?[(name.Length + 2)..];
        return new RunningNow((Field("digests") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries), Field("answers") is { Length: > 0 } answer ? answer : null);
    }
}

/// <summary>A docker host's container: its name, host port (loopback, behind nginx), backup port, the app's port, and its health check.</summary>
public sealed record AppContainer(string Name, int HostPort, int BackupPort, int AppPort, string HealthPath, TimeSpan HealthTimeout);

/// <summary>A docker host's nginx site: where its file goes, and the nginx configuration that includes it.</summary>
public sealed record NginxSite(string Path, string NginxConf);
