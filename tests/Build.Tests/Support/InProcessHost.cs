using System.Text;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Testing;

namespace Pipeline.Tests.Support;

/// <summary>
/// The pipeline's real host, started in this process with three things captured: the log, the
/// report (which tasks ran, in order) and every process start (the lowest layer of side effects).
/// </summary>
public sealed class InProcessHost
{
    private readonly CapturedOutput _captured = new();

    public CapturingConsole Console => _captured.Console;
    public RecordingProcessRunner Processes { get; } = new();
    public List<CakeReportEntry> Report => _captured.Report;
    public TestConsole AnsiConsole => _captured.AnsiConsole;

    /// <summary>Everything the host printed, through Cake's log and Spectre's console.</summary>
    public string Output => _captured.Text;

    public int Run(string workingDirectory, params string[] args) =>
        CapturedOutput.KeepingCurrentDirectory(() =>
            BuildHost.Create()
                .AddAssembly(typeof(InProcessHost).Assembly)
                .UseWorkingDirectory(workingDirectory)
                .ConfigureServices(services =>
                {
                    _captured.CaptureFrom(services);
                    services.AddSingleton<IProcessRunner>(Processes);
                })
                .Run(args));

    public IReadOnlyList<string> TasksRun =>
        Report.Where(entry => entry.Category == CakeReportEntryCategory.Task && entry.ExecutionStatus != CakeTaskExecutionStatus.Skipped)
            .Select(entry => entry.TaskName).ToList();
}

/// <summary>What a Frosting host started in this process prints, and the report of its run.</summary>
public sealed class CapturedOutput
{
    public CapturingConsole Console { get; } = new();
    public TestConsole AnsiConsole { get; } = new();
    public List<CakeReportEntry> Report { get; } = [];

    /// <summary>Everything printed, through Cake's log and Spectre's console.</summary>
    public string Text => Console.Text + AnsiConsole.Output;

    public void CaptureFrom(IServiceCollection services)
    {
        services.AddSingleton<IConsole>(Console);
        services.AddSingleton<IAnsiConsole>(AnsiConsole);
        services.AddSingleton<ICakeReportPrinter>(new RecordingReportPrinter(Report));
    }

    /// <summary>Cake's environment moves the process's current directory; the test runner needs its own back.</summary>
    public static int KeepingCurrentDirectory(Func<int> run)
    {
        var previous = Directory.GetCurrentDirectory();
        try
        {
            return run();
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }
}

public sealed class CapturingConsole : IConsole
{
    private readonly StringBuilder _text = new();

    public string Text { get { lock (_text) return _text.ToString(); } }

    public ConsoleColor ForegroundColor { get; set; }
    public ConsoleColor BackgroundColor { get; set; }
    public bool SupportAnsiEscapeCodes => false;

    public void Write(string format, params object[] arg) => Append(string.Format(format, arg));
    public void Write(string value) => Append(value);
    public void WriteLine(string format, params object[] arg) => Append(string.Format(format, arg) + "\n");
    public void WriteLine(string value) => Append(value + "\n");
    public void WriteError(string format, params object[] arg) => Append(string.Format(format, arg));
    public void WriteError(string value) => Append(value);
    public void WriteErrorLine(string format, params object[] arg) => Append(string.Format(format, arg) + "\n");
    public void WriteErrorLine(string value) => Append(value + "\n");
    public void ResetColor() { }

    private void Append(string value) { lock (_text) _text.Append(value); }
}

public sealed class RecordingReportPrinter(List<CakeReportEntry> entries) : ICakeReportPrinter
{
    public void Write(CakeReport report) => entries.AddRange(report);
    public void WriteLifeCycleStep(string name, Verbosity verbosity) { }
    public void WriteStep(string name, Verbosity verbosity) { }
    public void WriteSkippedStep(string name, Verbosity verbosity) { }
}

/// <summary>Records each process start (tool and rendered arguments) and answers exit code 0.</summary>
public sealed class RecordingProcessRunner : IProcessRunner
{
    public List<(string Tool, string Arguments, byte[]? StandardInput)> Started { get; } = [];

    public IProcess Start(FilePath filePath, ProcessSettings settings)
    {
        Started.Add((filePath.GetFilename().FullPath, settings.Arguments.Render(), settings.StandardInput?.Memory.ToArray()));
        return new FinishedProcess();
    }

    private sealed class FinishedProcess : IProcess
    {
        public void WaitForExit() { }
        public bool WaitForExit(int milliseconds) => true;
        public int GetExitCode() => 0;
        public IEnumerable<string> GetStandardError() => [];
        public IEnumerable<string> GetStandardOutput() => [];
        public void Kill() { }
        public void Dispose() { }
    }
}
