using System.Reflection;
using Cake.Frosting;

namespace Pipeline.Tasks;

/// <summary>The task and target names users and workflows rely on (see the pipeline contract).</summary>
public static class TaskNames
{
    public const string ReadVersion = nameof(ReadVersion);
    public const string Login = nameof(Login);
    public const string Build = nameof(Build);
    public const string Push = nameof(Push);
    public const string DeployDev = nameof(DeployDev);
    public const string ResolveSnapshot = nameof(ResolveSnapshot);
    public const string Release = nameof(Release);
    public const string Retag = nameof(Retag);
    public const string Rollout = nameof(Rollout);
    public const string Rollback = nameof(Rollback);
    public const string Status = nameof(Status);
    public const string Dev = nameof(Dev);
    public const string Promote = nameof(Promote);

    /// <summary>A task type's name, as Frosting registers it: its [TaskName], or its class name.</summary>
    public static string Of(Type task) => task.GetCustomAttribute<TaskNameAttribute>()?.Name ?? task.Name;
}
