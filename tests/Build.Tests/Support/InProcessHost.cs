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
    public CapturingConsole Console { get; } = new();
    public RecordingProcessRunner Processes { get; } = new();
    public List<CakeReportEntry> Report { get; } = [];
    public TestConsole AnsiConsole { get; } = new();

    /// <summary>Everything the host printed, through Cake's log and Spectre's console.</summary>
    public string Output => Console.Text + AnsiConsole.Output;

    // Cake's environment sets the process's current directory; the tests' runner needs its own back.
    public int Run(string workingDirectory, params string[] args)
    {
        var previous = Directory.GetCurrentDirectory();
        try
        {
            return Start(workingDirectory, args);
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    private int Start(string workingDirectory, string[] args) =>
        BuildHost.Create()
            .AddAssembly(typeof(InProcessHost).Assembly)
            .UseWorkingDirectory(workingDirectory)
            .ConfigureServices(services =>
            {
                services.AddSingleton<IConsole>(Console);
                services.AddSingleton<IAnsiConsole>(AnsiConsole);
                services.AddSingleton<IProcessRunner>(Processes);
                services.AddSingleton<ICakeReportPrinter>(new RecordingReportPrinter(Report));
            })
            .Run(args);

    public IReadOnlyList<string> TasksRun =>
        Report.Where(entry => entry.Category == CakeReportEntryCategory.Task && entry.ExecutionStatus != CakeTaskExecutionStatus.Skipped)
            .Select(entry => entry.TaskName).ToList();
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
