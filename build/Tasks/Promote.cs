using Cake.Frosting;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Promote)]
[TaskDescription("On a merge to main: ReadVersion -> ResolveSnapshot -> Release -> Retag -> Rollout, the tested image, without a rebuild.")]
[IsDependentOn(typeof(Rollout))]
public sealed class Promote : FrostingTask<BuildContext>;
