using System.Reflection;
using Pipeline.Tasks;

namespace Pipeline.Settings;

/// <summary>
/// This tool's --help, and the settings table of the README, made from the tasks' declarations
/// (a test holds the README's table to this one, so neither can drift).
/// </summary>
public static class SettingsHelp
{
    public static bool IsRequested(IEnumerable<string> args) => args.Any(arg => arg is "-h" or "-?" || string.Equals(arg, "--help", StringComparison.OrdinalIgnoreCase));

    /// <summary>The whole of --help: how to call it, the targets and what each runs, the dry run, the host's options, the settings.</summary>
    public static string Usage(SettingsCatalog catalog)
    {
        // The two workflows first, then each task in the order a run meets it.
        var order = PipelineOrder();
        var targets = Workflows.Concat(catalog.TaskNames.Except(Workflows)
            .OrderBy(task => order.IndexOf(task) is var index and >= 0 ? index : int.MaxValue).ThenBy(task => task, StringComparer.Ordinal)).ToList();
        var width = targets.Max(task => task.Length) + 2;
        var lines = new List<string>
        {
            "USAGE:",
            "    ./build.sh --target=<Target> [--dry-run] [--name=value ...]     (Windows: ./build.ps1)",
            "",
            "TARGETS (a target runs what it depends on first; without --target the targets are listed):",
        };
        foreach (var task in targets)
        {
            lines.Add($"    {task.PadRight(width)}{catalog.Description(task)}");
            var runs = catalog.RunOrder(task);
            if (runs.Count > 1) lines.Add($"    {"".PadRight(width)}runs: {string.Join(" -> ", runs.Where(name => !(name == task && Workflows.Contains(name))))}");
        }
        lines.AddRange(
        [
            "",
            "DRY RUN: --dry-run (or --dryrun, --noop, --whatif; any case) prints every action a real run would take,",
            "    exactly, with secrets as [REDACTED], and executes none; missing settings show as <PLACEHOLDERS>.",
            "",
            "OPTIONS OF THE HOST:",
            "    --exclusive, -e            the target alone, without what it depends on",
            "    --verbosity=<level>, -v    quiet, minimal, normal, verbose or diagnostic (stack traces)",
            "    --tree                     the target's dependency tree; runs nothing",
            "    --description              every task with its description; runs nothing",
            "    --working=<path>, -w       the repository to work in (default: the current folder)",
            "    --version, --info          the Cake engine's version and more",
        ]);
        return string.Join(Environment.NewLine, lines) + Environment.NewLine + Render(catalog);
    }

    // The targets whose own task does nothing but name the steps it depends on: listed first, and
    // their "runs:" line names the steps only.
    private static readonly string[] Workflows = [TaskNames.Dev, TaskNames.Promote];

    private static List<string> PipelineOrder() =>
        typeof(TaskNames).GetFields(BindingFlags.Public | BindingFlags.Static).Select(field => (string)field.GetValue(null)!).ToList();

    /// <summary>For --help: one block per setting.</summary>
    public static string Render(SettingsCatalog catalog)
    {
        var lines = new List<string> { "", "SETTINGS (an argument wins over its environment variable; secrets only from the environment):" };
        foreach (var setting in catalog.All)
        {
            lines.Add($"    {(setting.Argument is null ? "" : $"--{setting.Argument}=<value>  ")}{setting.Variable}{(setting.IsSecret ? " (secret)" : "")}");
            lines.Add($"        default: {setting.Default.Replace("`", "")}; used by: {UsedBy(catalog, setting)}");
        }
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>The README's table, row for row.</summary>
    public static string MarkdownTable(SettingsCatalog catalog)
    {
        var lines = new List<string> { "| argument | environment | default | used by |", "| --- | --- | --- | --- |" };
        lines.AddRange(catalog.All.Select(setting =>
            $"| {(setting.Argument is null ? "" : $"`--{setting.Argument}`")} | `{setting.Variable}` | {setting.Default} | {UsedBy(catalog, setting)} |"));
        return string.Join("\n", lines);
    }

    /// <summary>The tasks in pipeline order (then any others), so that the list reads like the workflow.</summary>
    private static string UsedBy(SettingsCatalog catalog, Setting setting)
    {
        var order = PipelineOrder();
        var tasks = catalog.UsedBy(setting)
            .OrderBy(task => order.IndexOf(task) is var index and >= 0 ? index : int.MaxValue)
            .ThenBy(task => task, StringComparer.Ordinal)
            .ToList();
        return tasks.Count == 0 ? "-" : string.Join(", ", tasks);
    }
}
