using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Frosting;

/// <summary>
/// A Frosting host of the stand-in, started in this process on the real Cake engine, file system
/// and environment, in a folder of its own. What it prints is captured; tasks and lifetimes
/// note what they do in <see cref="Journal"/> (a line each, "» ..."), in the order it happens.
/// </summary>
internal sealed class FrostingRun : IDisposable
{
    private const string Mark = "» ";
    private readonly CapturedOutput _captured = new();

    public FrostingRun()
    {
        Directory.CreateDirectory(Folder);
    }

    public CakeHost Host { get; } = new();
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "frosting-" + Guid.NewGuid().ToString("N")[..8]);
    public CapturingConsole Console => _captured.Console;
    public List<CakeReportEntry> Report => _captured.Report;

    public string Output => _captured.Text;

    public IReadOnlyList<string> Journal =>
        Console.Text.Split('\n').Where(line => line.StartsWith(Mark, StringComparison.Ordinal)).Select(line => line[Mark.Length..]).ToList();

    public static void Note(ICakeContext context, string what) => context.Log.Information(Mark + what);

    public FrostingRun Register<TTask>() where TTask : class, IFrostingTask
    {
        Host.ConfigureServices(services => services.AddSingleton<IFrostingTask, TTask>());
        return this;
    }

    /// <summary>Runs the host in <see cref="Folder"/>, the process's current directory meanwhile.</summary>
    public int Run(params string[] args) =>
        CapturedOutput.KeepingCurrentDirectory(() =>
        {
            Directory.SetCurrentDirectory(Folder);
            return Host.ConfigureServices(_captured.CaptureFrom).Run(args);
        });

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
