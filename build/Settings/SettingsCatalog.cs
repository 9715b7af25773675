using System.Reflection;
using Cake.Frosting;

namespace Pipeline.Settings;

/// <summary>
/// Every setting the host's tasks declare, and which task uses which: read from the tasks' [Uses]
/// and [UsesSettingsOf] declarations, never written as a list by hand.
/// </summary>
public sealed class SettingsCatalog
{
    private readonly Dictionary<string, IReadOnlyList<Setting>> _byTask;

    private SettingsCatalog(Dictionary<string, IReadOnlyList<Setting>> byTask, IReadOnlyList<Setting> all)
    {
        _byTask = byTask;
        All = all;
    }

    /// <summary>The contract's settings in their order, then any that a task declares itself.</summary>
    public IReadOnlyList<Setting> All { get; }

    public IEnumerable<string> TaskNames => _byTask.Keys;

    /// <summary>The catalogue of every task in these assemblies, as the host finds them.</summary>
    public static SettingsCatalog OfAssemblies(params Assembly[] assemblies) =>
        Of(assemblies.Distinct().SelectMany(assembly => assembly.GetTypes())
            .Where(type => typeof(IFrostingTask).IsAssignableFrom(type) && type is { IsClass: true, IsAbstract: false }));

    public static SettingsCatalog Of(IEnumerable<Type> taskTypes)
    {
        var byTask = new Dictionary<string, IReadOnlyList<Setting>>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in taskTypes)
        {
            byTask[type.GetCustomAttribute<TaskNameAttribute>()?.Name ?? type.Name] = Declared(type, []).Distinct().ToList();
        }
        var all = Fields(typeof(Settings)).Concat(byTask.Values.SelectMany(settings => settings)).Distinct().ToList();
        return new SettingsCatalog(byTask, all);
    }

    /// <summary>What the given tasks read, in the catalogue's order.</summary>
    public IReadOnlyList<Setting> For(IEnumerable<string> taskNames)
    {
        var used = taskNames.SelectMany(name => _byTask.TryGetValue(name, out var settings) ? settings : []).ToHashSet();
        return All.Where(used.Contains).ToList();
    }

    public IReadOnlyList<string> UsedBy(Setting setting) =>
        _byTask.Where(pair => pair.Value.Contains(setting)).Select(pair => pair.Key).ToList();

    private static IEnumerable<Setting> Declared(Type type, HashSet<Type> seen)
    {
        if (!seen.Add(type)) yield break;
        foreach (var uses in type.GetCustomAttributes<UsesAttribute>())
        {
            foreach (var name in uses.Settings)
            {
                yield return Field(type, name) ?? Field(typeof(Settings), name)
                    ?? throw new InvalidOperationException($"{type.Name} declares [Uses(\"{name}\")], but neither it nor Settings has a static Setting field of that name.");
            }
        }
        foreach (var helper in type.GetCustomAttributes<UsesSettingsOfAttribute>())
        {
            foreach (var setting in Declared(helper.Helper, seen)) yield return setting;
        }
    }

    private static Setting? Field(Type type, string name) =>
        type.GetField(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as Setting;

    private static IEnumerable<Setting> Fields(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(field => field.FieldType == typeof(Setting)).Select(field => (Setting)field.GetValue(null)!);
}
