using System.Reflection;
using Pipeline.Tasks;

namespace Pipeline.Settings;

/// <summary>
/// The settings table of --help and of the README, both made from the tasks' declarations
/// (a test holds the README's table to this one, so neither can drift).
/// </summary>
public static class SettingsHelp
{
    public static bool IsRequested(IEnumerable<string> args) => args.Any(arg => arg is "-h" or "--help" or "-?");

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
        var order = typeof(TaskNames).GetFields(BindingFlags.Public | BindingFlags.Static).Select(field => (string)field.GetValue(null)!).ToList();
        var tasks = catalog.UsedBy(setting)
            .OrderBy(task => order.IndexOf(task) is var index and >= 0 ? index : int.MaxValue)
            .ThenBy(task => task, StringComparer.Ordinal)
            .ToList();
        return tasks.Count == 0 ? "-" : string.Join(", ", tasks);
    }
}
