using Cake.Core;

namespace Pipeline.Settings;

/// <summary>
/// The pipeline's command line is strict: a mistyped setting would otherwise run with its default,
/// which for a deploy tool is a wrong deploy, not a typo. Names match as Cake matches them
/// (case-insensitively), and '_' is taken for '-'.
/// </summary>
public static class CommandLine
{
    /// <summary>Every spelling that asks for a plan. Cake knows three; --dry-run is this project's users'.</summary>
    private static readonly string[] DryRunNames = ["dry-run", "dryrun", "noop", "whatif"];

    /// <summary>The options Cake.Frosting's host reads itself (through Spectre.Console.Cli, which matches them as written).</summary>
    private static readonly string[] HostOptions =
        ["target", "working", "verbosity", "description", "descriptions", "showdescription", "showdescriptions", "tree", "showtree",
         "dryrun", "noop", "whatif", "exclusive", "version", "ver", "info", "help"];

    /// <summary>
    /// The strict command line takes every name case-insensitively, as Cake's arguments do; the
    /// host's own options match only in lower case. `--TARGET=Dev` would pass the strict check,
    /// reach Cake as an ordinary argument, and the host would run no target and exit 0: a green
    /// CI job that deployed nothing. So the host's options are handed on in the host's spelling.
    /// </summary>
    public static string[] InHostSpelling(IEnumerable<string> args) => args.Select(arg =>
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal)) return arg;
        var end = arg.IndexOf('=') is var equals and >= 0 ? equals : arg.Length;
        var name = arg[2..end];
        var lower = name.ToLowerInvariant();
        return name != lower && HostOptions.Contains(lower) ? $"--{lower}{arg[end..]}" : arg;
    }).ToArray();

    /// <summary>Whether any dry-run spelling, in any case, was given (and not set to false).</summary>
    public static bool IsDryRun(ICakeArguments arguments) =>
        arguments.GetArguments().Any(pair => DryRunNames.Contains(Normalise(pair.Key))
            && pair.Value.All(value => SettingsReader.IsTrue(value) != false));

    /// <summary>One line for each argument that is no setting, and for an unknown target; each with the nearest known name.</summary>
    public static IReadOnlyList<string> Refusals(ICakeArguments arguments, SettingsCatalog catalog, IReadOnlyList<Setting> declaredEnvironments)
    {
        var known = catalog.All.Concat(declaredEnvironments).ToList();
        var settings = known.Where(setting => setting.Argument is not null).Select(setting => setting.Argument!).ToList();
        var secrets = known.Where(setting => setting.IsSecret).ToList();
        var refusals = new List<string>();
        foreach (var name in arguments.GetArguments().Keys)
        {
            var normal = Normalise(name);
            if (secrets.FirstOrDefault(secret => Normalise(secret.Variable) == normal) is { } secret)
            {
                // Whichever target: the value is in the shell's history and the process list already.
                refusals.Add($"{secret.Variable}: is a secret: set the environment variable {secret.Variable}, never --{normal} (arguments land in shell history and process lists)");
                continue;
            }
            if (normal == "target" || DryRunNames.Contains(normal) || settings.Contains(normal, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }
            refusals.Add($"--{SettingsReader.Printable(name)}: unknown" + (Nearest(normal, settings.Concat(["dry-run"]).Concat(HostOptions)) is { } nearest
                ? $"; did you mean --{nearest}?"
                : ": --help lists the settings."));
        }
        foreach (var target in arguments.HasArgument("target") ? arguments.GetArguments("target") : [])
        {
            // "Default" is what the host runs without --target: the pipeline lists the targets then.
            if (target != Hosting.TargetListingHost.DefaultTarget && !catalog.TaskNames.Contains(target, StringComparer.OrdinalIgnoreCase))
            {
                refusals.Add($"--target={SettingsReader.Printable(target)}: no such target" + (Nearest(target, catalog.TaskNames) is { } nearest
                    ? $"; did you mean {nearest}?"
                    : ": run without --target to list the targets."));
            }
        }
        return refusals;
    }

    private static string Normalise(string name) => name.ToLowerInvariant().Replace('_', '-');

    public static string? Nearest(string given, IEnumerable<string> known)
    {
        var nearest = known.Select(name => (Name: name, Distance: Distance(given.ToLowerInvariant(), name.ToLowerInvariant())))
            .OrderBy(pair => pair.Distance).ThenBy(pair => pair.Name, StringComparer.Ordinal).FirstOrDefault();
        if (nearest.Name is not null && nearest.Distance <= Math.Max(2, given.Length / 3)) return nearest.Name;
        // A name cut short ("Deploy") is nearest to the one it begins.
        return known.Where(name => name.StartsWith(given, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
