using System.Reflection;

namespace Cake.Frosting.Internal;

/// <summary>What the host reads off a task's class: its name, description, context type and overrides.</summary>
internal static class TaskReflection
{
    public static string TaskName(this Type task) =>
        task.GetCustomAttribute<TaskNameAttribute>()?.Name ?? task.Name;

    public static string Description(this IFrostingTask task) =>
        task.GetType().GetCustomAttribute<TaskDescriptionAttribute>()?.Description ?? string.Empty;

    public static bool IsContinueOnError(this IFrostingTask task) =>
        task.GetType().GetCustomAttribute<ContinueOnErrorAttribute>() is not null;

    /// <summary>The T of FrostingTask&lt;T&gt; or AsyncFrostingTask&lt;T&gt; the class derives from directly.</summary>
    public static Type ContextType(this IFrostingTask task) =>
        task.GetType().BaseType is { IsConstructedGenericType: true } baseType
            && (baseType.GetGenericTypeDefinition() == typeof(FrostingTask<>) || baseType.GetGenericTypeDefinition() == typeof(AsyncFrostingTask<>))
            ? baseType.GenericTypeArguments[0]
            : typeof(Cake.Core.ICakeContext);

    public static bool HasCompatibleContext(this IFrostingTask task, IFrostingContext context) =>
        task.ContextType().IsAssignableFrom(context.GetType());

    public static bool IsRunOverridden(this IFrostingTask task, IFrostingContext context)
    {
        if (Derives(task.GetType(), typeof(FrostingTask<>)))
        {
            return task.IsOverridden(nameof(FrostingTask.Run), context.GetType());
        }
        if (Derives(task.GetType(), typeof(AsyncFrostingTask<>)))
        {
            return task.IsOverridden(nameof(AsyncFrostingTask.RunAsync), context.GetType());
        }
        throw new InvalidOperationException($"This method expects all {nameof(IFrostingTask)} to be instances of {nameof(FrostingTask)} or {nameof(AsyncFrostingTask)}.");
    }

    /// <summary>Whether the public method of that name, callable with those arguments, is an override.</summary>
    public static bool IsOverridden(this IFrostingTask task, string method, params Type[] parameters) =>
        task.GetType().GetMethod(method, parameters) is { } found && found.GetBaseDefinition().DeclaringType != found.DeclaringType;

    private static bool Derives(Type type, Type genericBase)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.IsGenericType && current.GetGenericTypeDefinition() == genericBase)
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>What <see cref="IsDependentOnAttribute"/> and <see cref="IsDependeeOfAttribute"/> share.</summary>
internal interface ITaskDependency
{
    Type Task { get; }
}
