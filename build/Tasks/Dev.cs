using Cake.Frosting;

namespace Pipeline.Tasks;

[TaskName(TaskNames.Dev)]
[TaskDescription("On a push to dev: ReadVersion -> Login -> Build -> Push -> DeployDev.")]
[IsDependentOn(typeof(DeployDev))]
public sealed class Dev : FrostingTask<BuildContext>;
