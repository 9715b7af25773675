using Cake.Frosting;
using Pipeline.Versioning;
using Pipeline.Settings;
using S = Pipeline.Settings.Settings;

namespace Pipeline.Tasks;

[TaskName(TaskNames.ReadVersion)]
[Uses(nameof(S.Ci))]
[TaskDescription("Reads the version from pyproject.toml and HEAD's commit; makes the snapshot tag X.Y.Z-SNAPSHOT-<sha7>.")]
public sealed class ReadVersion : PipelineTask
{
    public override void Run(BuildContext context) => context.UseVersion(VersionOfHead.Read(context));
}
