using Cake.Common.Build;
using Cake.Core;
using Cake.Frosting;

namespace Pipeline;

/// <summary>
/// In GitHub Actions, each task's output is a collapsible group named after the task. Outside
/// Actions nothing changes. (The failure's annotation is <see cref="BuildLifetime"/>'s: it
/// knows the run's last word.)
/// </summary>
public sealed class GitHubActionsGroups : FrostingTaskLifetime<BuildContext>
{
    public override void Setup(BuildContext context, ITaskSetupContext info)
    {
        if (context.GitHubActions().IsRunningOnGitHubActions) context.GitHubActions().Commands.StartGroup(info.Task.Name);
    }

    public override void Teardown(BuildContext context, ITaskTeardownContext info)
    {
        if (context.GitHubActions().IsRunningOnGitHubActions) context.GitHubActions().Commands.EndGroup();
    }
}
