using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Tests.Support;
using Spectre.Console;
using Spectre.Console.Testing;

namespace Pipeline.Tests.Frosting;

/// <summary>
/// A Frosting host of the stand-in, started in this process on the real Cake engine, file system
/// and environment, in a folder of its own. What it prints is captured; tasks and lifetimes
/// note what they do in <see cref="Journal"/> (a line each, "» ..."), in the order it happens.
/// </summary>
internal sealed class FrostingRun : IDisposable
{
    private const string Mark = "» ";

    public FrostingRun()
    {
        Directory.CreateDirectory(Folder);
    }

    public CakeHost Host { get; } = new();
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "frosting-" + Guid.NewGuid().ToString("N")[..8]);
    public CapturingConsole Console { get; } = new();
    public TestConsole AnsiConsole { get; } = new();
    public List<CakeReportEntry> Report { get; } = [];

    public string Output => Console.Text + AnsiConsole.Output;

    public IReadOnlyList<string> Journal =>
        Console.Text.Split('\n').Where(line => line.StartsWith(Mark, StringComparison.Ordinal)).Select(line => line[Mark.Length..]).ToList();

    public static void Note(ICakeContext context, string what) => context.Log.Information(Mark + what);

    public FrostingRun Register<TTask>() where TTask : class, IFrostingTask
    {
        Host.ConfigureServices(services => services.AddSingleton<IFrostingTask, TTask>());
        return this;
    }

    // Cake's environment moves the process's current directory; the test runner needs its own back.
    public int Run(params string[] args)
    {
        var previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(Folder);
        try
        {
            return Host.ConfigureServices(services =>
                {
                    services.AddSingleton<IConsole>(Console);
                    services.AddSingleton<IAnsiConsole>(AnsiConsole);
                    services.AddSingleton<ICakeReportPrinter>(new RecordingReportPrinter(Report));
                })
                .Run(args);
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
