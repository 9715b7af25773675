using Cake.Frosting;

namespace Pipeline.Tasks;

/// <summary>
/// A step of the pipeline. When it fails, the last line of the run names it:
/// "Error: &lt;Task&gt;: &lt;what failed&gt; (&lt;endpoint or file&gt;): &lt;what to do&gt;" (see <see cref="TaskFailure"/>).
/// </summary>
public abstract class PipelineTask : FrostingTask<BuildContext>
{
    public sealed override void OnError(Exception exception, BuildContext context) => TaskFailure.Rethrow(TaskNames.Of(GetType()), exception);
}

/// <inheritdoc cref="PipelineTask"/>
public abstract class AsyncPipelineTask : AsyncFrostingTask<BuildContext>
{
    public sealed override void OnError(Exception exception, BuildContext context) => TaskFailure.Rethrow(TaskNames.Of(GetType()), exception);
}
