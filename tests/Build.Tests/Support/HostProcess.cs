using System.Diagnostics;

namespace Pipeline.Tests.Support;

public sealed record HostResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string AllOutput => StandardOutput + StandardError;

    /// <summary>The last line a user reads: Cake's "Error: ..." line on failure.</summary>
    public string LastErrorLine =>
        StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd()).LastOrDefault() ?? "";
}

/// <summary>Starts the built host as a user's shell would: its own process, directory and environment.</summary>
public static class HostProcess
{
    /// <summary>Build.dll is copied beside the tests by the project reference.</summary>
    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "Build.dll");

    public static HostResult Run(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        RunDll(HostDll, workingDirectory, environment, args);

    /// <summary>Any Frosting program, started the same way.</summary>
    public static HostResult RunDll(string dll, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("CI");
        start.Environment.Remove("GITHUB_ACTIONS");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(name); else start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The host did not finish: {string.Join(' ', args)}");
        }
        return new HostResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
