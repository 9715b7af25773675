using System.Text.Json;
using Cake.Common.Diagnostics;
using Cake.Frosting;
using Pipeline.Environments;
using Pipeline.GitHub;
using Pipeline.Http;
using Pipeline.Registry;
using Pipeline.Remote;
using Pipeline.Settings;
using Spectre.Console;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Status)]
[Uses(nameof(S.StatusFormat), nameof(S.GitHubToken), nameof(S.GitHubRepository), nameof(S.GitHubApiUrl), nameof(S.Registry), nameof(S.Repository),
    nameof(S.DevContainer), nameof(S.DevHostPort), nameof(S.Kubectl), nameof(S.K8sNamespace), nameof(S.K8sDeployment), nameof(S.K8sContainer), nameof(S.ManifestsDir))]
[UsesSettingsOf(typeof(RemoteTarget))]
[UsesSettingsOf(typeof(RegistryAccess))]
[TaskDescription("What every environment runs, against the ledger on GitHub and the registry's release tags: a table (--format=json for scripts); non-zero with one line per drift. Reads only.")]
public sealed class Status(PipelineHttp http, RegistryAccess registry) : AsyncPipelineTask
{
    /// <summary>One environment as the ledger has it and as it runs.</summary>
    public sealed record Row(string Environment, string Kind, string? Version, string? Commit, string? Digest, string? Since, string? Run, string Runs, string? Answers, IReadOnlyList<string> Drifts);

    public override async Task RunAsync(BuildContext context)
    {
        var ledger = RecordedDeploy.Ledger(context, http);
        if (ledger is null)
        {
            // Only a dry run gets here: a real one is refused up front without GITHUB_TOKEN.
            context.Information("The plan cannot read the ledger without GITHUB_TOKEN and GITHUB_REPOSITORY; it asks each environment what it runs.");
        }
        var rows = new List<Row>();
        foreach (var environment in context.Settings.EveryEnvironment)
        {
            IReadOnlyList<LedgerEntry> history = ledger is null ? [] : await RecordedDeploy.Write(() => ledger.History(environment.Name));
            var now = await environment.WhatRunsNow(context);
            rows.Add(await Compare(context, environment, history.FirstOrDefault(entry => entry.Verified && !entry.RolledBack), now));
        }
        if (context.IsDryRun) return;

        if (context.Settings.StatusAsJson)
        {
            // Also as a file: the run's standard output carries the host's log around the JSON.
            var json = JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
            Directory.CreateDirectory(context.ArtifactsDirectory);
            File.WriteAllText(Path.Combine(context.ArtifactsDirectory, "status.json"), json + "\n");
            Console.Out.WriteLine(json);
        }
        else
        {
            Table(rows);
        }
        var drifts = rows.SelectMany(row => row.Drifts).ToList();
        foreach (var drift in drifts) context.Error("drift: {0}", drift);
        if (drifts.Count > 0)
        {
            throw new BuildInputException($"{drifts.Count} drift(s) between the ledger, the environments and the registry (above): deploy, roll back, or put the tag back, then re-run Status.");
        }
        context.Information("Every environment runs what the ledger says, and every release tag names its recorded digest.");
    }

    private async Task<Row> Compare(BuildContext context, DeployEnvironment environment, LedgerEntry? recorded, RunningNow now)
    {
        var drifts = new List<string>();
        if (recorded is null)
        {
            if (now.Digests.Count > 0) drifts.Add($"{environment.Name} runs {now.ImagesOr("")}, which the ledger has no verified deployment of");
            return new Row(environment.Name, environment.Kind, null, null, null, null, null, now.ImagesOr("nothing"), now.Answer, drifts);
        }
        if (!now.RunsOnly(recorded.RunningImage))
        {
            drifts.Add($"{environment.Name} runs {now.ImagesOr("no image from a registry")}, but the ledger says {recorded.Tag} ({recorded.Record.Digest}), deployed {recorded.CreatedAt:yyyy-MM-dd HH:mm}Z");
        }
        if (!context.IsDryRun && context.Settings.Image.Registry is { IsPlaceholder: false } && recorded.ReferenceIn(context.Settings.Image) is { } reference)
        {
            var found = await ReleaseTag(reference);
            if (found?.Digest.ToString() != recorded.Record.Digest)
            {
                drifts.Add($"{reference} names {(found is null ? "nothing" : found.Digest.ToString())} in the registry, not {recorded.Record.Digest} as the ledger recorded for {environment.Name}");
            }
        }
        return new Row(environment.Name, environment.Kind, recorded.Tag, recorded.Commit, recorded.Record.Digest, $"{recorded.CreatedAt:yyyy-MM-dd HH:mm}Z", recorded.Record.RunUrl,
            now.ImagesOr("nothing"), now.Answer, drifts);
    }

    private bool _loggedIn;

    /// <summary>
    /// The release tag as the registry has it, asked anonymously first: a public repository (ECR
    /// Public's) answers anyone, so Status needs no credentials there; a registry that wants them
    /// gets the run's login, once.
    /// </summary>
    private async Task<ManifestDescriptor?> ReleaseTag(ImageReference reference)
    {
        try
        {
            return await registry.Api.HeadManifest(reference);
        }
        catch (RegistryException) when (!_loggedIn)
        {
            _loggedIn = true;
            await registry.Login();
            return await registry.Api.HeadManifest(reference);
        }
    }

    /// <summary>The table, drawn with Spectre.Console in plain characters: CI logs and pipes read it as well as a terminal.</summary>
    private static void Table(IReadOnlyList<Row> rows)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(Console.Out),
            Interactive = InteractionSupport.No,
        });
        // Digests are long and must stay whole: a wide page, and no column wraps.
        console.Profile.Width = 512;
        var table = new Table().Border(TableBorder.Ascii).Collapse();
        foreach (var column in new[] { "environment", "kind", "ledger: release", "commit", "digest", "since", "runs now", "agrees" })
        {
            table.AddColumn(new TableColumn(column).NoWrap());
        }
        foreach (var row in rows)
        {
            table.AddRow(Markup.Escape(row.Environment), Markup.Escape(row.Kind), Markup.Escape(row.Version ?? "none"), Markup.Escape(row.Commit?[..7] ?? ""),
                Markup.Escape(row.Digest ?? ""), Markup.Escape(row.Since ?? ""), Markup.Escape(row.Runs), row.Drifts.Count == 0 ? "yes" : "NO");
        }
        console.Write(table);
    }
}
