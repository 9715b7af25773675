using System.Reflection;
using Cake.Core;
using Cake.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Cake.Frosting;

/// <summary>Maps Frosting tasks and lifetimes onto the real engine, as Cake.Frosting's FrostingEngine does.</summary>
internal static class TaskRegistration
{
    public static string NameOf(Type task) =>
        task.GetCustomAttribute<TaskNameAttribute>()?.Name ?? task.Name;

    public static void Register(ICakeEngine engine, IFrostingContext context, IEnumerable<IFrostingTask> tasks, ICakeLog log)
    {
        foreach (var task in tasks)
        {
            var type = task.GetType();
            var builder = engine.RegisterTask(NameOf(type));
            log.Debug("Registering task: {0}", NameOf(type));

            if (type.GetCustomAttribute<TaskDescriptionAttribute>() is { } description)
            {
                builder.Description(description.Description);
            }
            if (IsOverridden(type, nameof(IFrostingTask.RunAsync)) || IsOverridden(type, "Run"))
            {
                builder.Does(() => task.RunAsync(context));
            }
            if (IsOverridden(type, nameof(IFrostingTask.ShouldRun)))
            {
                builder.WithCriteria(_ => task.ShouldRun(context), $"{NameOf(type)}'s ShouldRun said no (the log says why).");
            }
            if (IsOverridden(type, nameof(IFrostingTask.OnError)))
            {
                builder.OnError(exception => task.OnError(exception, context));
            }
            if (IsOverridden(type, nameof(IFrostingTask.Finally)))
            {
                builder.Finally(() => task.Finally(context));
            }
            foreach (var dependency in type.GetCustomAttributes<IsDependentOnAttribute>())
            {
                builder.IsDependentOn(NameOf(dependency.Task));
            }
            foreach (var dependee in type.GetCustomAttributes<IsDependeeOfAttribute>())
            {
                builder.IsDependeeOf(NameOf(dependee.Task));
            }
        }
    }

    // Only overridden members are handed to the engine, so that the report tells
    // "executed" from "delegated" the way Cake.Frosting's does.
    private static bool IsOverridden(Type type, string method) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Any(candidate => candidate.Name == method && candidate.GetBaseDefinition().DeclaringType != candidate.DeclaringType);
}

internal static class LifetimeRegistration
{
    public static void Register(ICakeEngine engine, IFrostingContext context, IServiceProvider provider)
    {
        if (provider.GetService<IFrostingLifetime>() is { } lifetime)
        {
            engine.RegisterSetupAction(info => lifetime.Setup(context, info));
            engine.RegisterTeardownAction(info => lifetime.Teardown(context, info));
        }
        if (provider.GetService<IFrostingTaskLifetime>() is { } taskLifetime)
        {
            engine.RegisterTaskSetupAction(info => taskLifetime.Setup(context, info));
            engine.RegisterTaskTeardownAction(info => taskLifetime.Teardown(context, info));
        }
    }
}
