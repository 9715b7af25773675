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
    private readonly Dictionary<string, IReadOnlyList<string>> _dependencies;
    private readonly Dictionary<string, string> _descriptions;
    private readonly Dictionary<string, string> _deploysTo;

    private SettingsCatalog(Dictionary<string, IReadOnlyList<Setting>> byTask, Dictionary<string, IReadOnlyList<string>> dependencies,
        Dictionary<string, string> descriptions, Dictionary<string, string> deploysTo, IReadOnlyList<Setting> all)
    {
        _byTask = byTask;
        _deploysTo = deploysTo;
        _dependencies = dependencies;
        _descriptions = descriptions;
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
        var descriptions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var deploysTo = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var dependencies = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        List<string> DependenciesOf(string task) => dependencies.TryGetValue(task, out var list) ? list : dependencies[task] = [];
        foreach (var type in taskTypes)
        {
            var name = Tasks.TaskNames.Of(type);
            byTask[name] = Declared(type, []).Distinct().ToList();
            descriptions[name] = type.GetCustomAttribute<TaskDescriptionAttribute>()?.Description ?? "";
            if (type.GetCustomAttribute<Environments.DeploysToAttribute>() is { } deploys) deploysTo[name] = deploys.Environment;
            DependenciesOf(name).AddRange(type.GetCustomAttributes<IsDependentOnAttribute>().Select(dependency => Tasks.TaskNames.Of(dependency.Task)));
            foreach (var dependee in type.GetCustomAttributes<IsDependeeOfAttribute>()) DependenciesOf(Tasks.TaskNames.Of(dependee.Task)).Add(name);
        }
        var all = Fields(typeof(Settings)).Concat(byTask.Values.SelectMany(settings => settings)).Distinct().ToList();
        return new SettingsCatalog(byTask, dependencies.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<string>)pair.Value, StringComparer.OrdinalIgnoreCase), descriptions, deploysTo, all);
    }

    /// <summary>The targets and every task they depend on: what a run of them may execute.</summary>
    public IReadOnlyList<string> Closure(IEnumerable<string> targets)
    {
        var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<string>(targets);
        while (pending.TryPop(out var task))
        {
            if (!found.Add(task)) continue;
            foreach (var dependency in _dependencies.GetValueOrDefault(task, [])) pending.Push(dependency);
        }
        return [.. found];
    }

    /// <summary>
    /// Where a run of these tasks deploys unless --environment says otherwise: the [DeploysTo] of
    /// the one among them that deploys (DeployDev: dev; Rollout: production), or null when none does.
    /// </summary>
    public string? DefaultEnvironment(IEnumerable<string> tasks) =>
        tasks.Select(task => _deploysTo.GetValueOrDefault(task)).FirstOrDefault(environment => environment is not null);

    /// <summary>The task's [TaskDescription], or empty.</summary>
    public string Description(string task) => _descriptions.GetValueOrDefault(task, "");

    /// <summary>What a run of the target executes, in the order the engine runs it: dependencies first, the target last.</summary>
    public IReadOnlyList<string> RunOrder(string target)
    {
        var order = new List<string>();
        void Visit(string task)
        {
            if (order.Contains(task, StringComparer.OrdinalIgnoreCase)) return;
            foreach (var dependency in _dependencies.GetValueOrDefault(task, [])) Visit(dependency);
            order.Add(task);
        }
        Visit(target);
        return order;
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
