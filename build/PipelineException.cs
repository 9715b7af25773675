using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Text.Json;

namespace Pipeline;

/// <summary>
/// A failure the user reads as one line: "&lt;what failed&gt; (&lt;endpoint or file&gt;): &lt;what to do&gt;".
/// Once Cake hands it to the failing task (<see cref="TaskFailure"/>), the task's name leads
/// the line and control characters in it are escaped.
/// </summary>
public class PipelineException(string message, Exception? inner = null) : Exception(message, inner)
{
    public string? FailedTask { get; private set; }

    /// <summary>The file the failure is about, relative to the repository, and its line, when there is one.</summary>
    public string? File { get; init; }

    public int? Line { get; init; }

    public override string Message =>
        FailedTask is null ? base.Message : $"{FailedTask}: {Settings.SettingsReader.Printable(base.Message, int.MaxValue)}";

    internal void FailedIn(string task) => FailedTask ??= task;
}

/// <summary>
/// How a task's failure leaves the run: the pipeline's own failures keep their words and gain
/// the task's name; anything else (a .NET one-liner such as "Invalid JSON string") is told as
/// what kind of thing failed and what to do, with the original kept as the inner exception for
/// --verbosity=diagnostic.
/// </summary>
public static class TaskFailure
{
    [DoesNotReturn]
    public static void Rethrow(string task, Exception exception)
    {
        var failure = exception as PipelineException ?? Describe(exception);
        failure.FailedIn(task);
        // The same object when it is already ours: Cake then prints the line once, not twice.
        ExceptionDispatchInfo.Throw(failure);
    }

    private static PipelineException Describe(Exception exception)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) return Describe(aggregate.InnerExceptions[0]);
        var said = exception.Message.Split('\n')[0].Trim();
        return exception switch
        {
            PipelineException ours => ours,
            HttpRequestException or TaskCanceledException or TimeoutException =>
                new($"a network request failed ({said}): check the address it went to and that it answers from this machine, then re-run.", exception),
            FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException =>
                new($"a file could not be read or written ({said}): check the path and its permissions, then re-run.", exception),
            JsonException or FormatException or KeyNotFoundException or InvalidCastException or System.Runtime.Serialization.SerializationException =>
                new($"an answer or a file could not be read ({said}): check that the address or file is the one meant, then re-run; --verbosity=diagnostic shows where it failed.", exception),
            _ => new($"unexpected {exception.GetType().Name} ({said}): re-run with --verbosity=diagnostic for the stack trace, and report it.", exception),
        };
    }
}
