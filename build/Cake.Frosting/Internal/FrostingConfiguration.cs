using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.IO;
using Spectre.Console.Cli;

namespace Cake.Frosting.Internal;

/// <summary>
/// Cake's configuration as Cake builds it: the host's UseCakeSetting values, then cake.config in
/// the working directory, then CAKE_* environment variables, then --key=value arguments.
/// </summary>
internal sealed class FrostingConfiguration : ICakeConfiguration
{
    public const string ToolPathKey = "Paths_Tools";

    private readonly ICakeConfiguration _configuration;

    public FrostingConfiguration(IEnumerable<FrostingConfigurationValue> values, IFileSystem fileSystem, ICakeEnvironment environment, IRemainingArguments remainingArguments)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(environment);

        var baseConfiguration = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in values)
        {
            baseConfiguration[value.Key] = value.Value;
        }
        // The command line's keys keep their dashes ("--paths_tools"); Cake's keys have none. The
        // package passes them as they are, so no argument ever matched; here they do (README).
        var arguments = remainingArguments.Parsed.ToDictionary(group => group.Key.TrimStart('-'), group => group.FirstOrDefault() ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        _configuration = new CakeConfigurationProvider(fileSystem, environment)
            .CreateConfiguration(environment.WorkingDirectory, baseConfiguration, arguments);
    }

    public string GetValue(string key) => _configuration.GetValue(key);
}

internal sealed class FrostingConfigurationValue
{
    public FrostingConfigurationValue(string key, string value)
    {
        Key = key ?? throw new ArgumentNullException(nameof(key));
        Value = value ?? throw new ArgumentNullException(nameof(value));
    }

    public string Key { get; }

    public string Value { get; }
}

internal sealed class WorkingDirectory
{
    public WorkingDirectory(DirectoryPath path)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
    }

    public DirectoryPath Path { get; }
}
