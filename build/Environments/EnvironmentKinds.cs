using System.Reflection;

namespace Pipeline.Environments;

/// <summary>
/// The kinds of environment the pipeline can deploy to, found as Frosting finds tasks: every
/// <see cref="DeployEnvironment"/> in this assembly with an [EnvironmentKind] name, a static
/// <c>Keys</c> list (what environments.toml and the settings may say of it) and a static
/// <c>Read(EnvironmentSettings)</c>. A new kind is one new file beside these.
/// </summary>
public static class EnvironmentKinds
{
    private static readonly Dictionary<string, Type> ByName = typeof(DeployEnvironment).Assembly.GetTypes()
        .Where(type => type.IsSubclassOf(typeof(DeployEnvironment)) && !type.IsAbstract && type.GetCustomAttribute<EnvironmentKindAttribute>() is not null)
        .ToDictionary(type => type.GetCustomAttribute<EnvironmentKindAttribute>()!.Name, StringComparer.Ordinal);

    public static IReadOnlyList<string> Names { get; } = [.. ByName.Keys.Order(StringComparer.Ordinal)];

    public static string NameOf(Type kind) => kind.GetCustomAttribute<EnvironmentKindAttribute>()?.Name ?? kind.Name;

    public static bool Exists(string kind) => ByName.ContainsKey(kind);

    /// <summary>The keys an environment of this kind has, as environments.toml spells them.</summary>
    public static IReadOnlyList<string> KeysOf(string kind) =>
        (IReadOnlyList<string>)Type(kind).GetField("Keys", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    public static DeployEnvironment Read(string kind, EnvironmentSettings settings) =>
        (DeployEnvironment)Type(kind).GetMethod("Read", BindingFlags.Public | BindingFlags.Static, [typeof(EnvironmentSettings)])!.Invoke(null, [settings])!;

    private static Type Type(string kind) => ByName.TryGetValue(kind, out var type)
        ? type
        : throw new InvalidOperationException($"no environment kind {kind}");
}
