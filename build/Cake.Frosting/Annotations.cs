namespace Cake.Frosting;

/// <summary>The task's name in the Cake graph; without it, the class name.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TaskNameAttribute : Attribute
{
    public string Name { get; }

    public TaskNameAttribute(string name)
    {
        Name = name;
    }
}

/// <summary>The description shown by <c>--description</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TaskDescriptionAttribute : Attribute
{
    public string Description { get; }

    public TaskDescriptionAttribute(string description)
    {
        Description = description;
    }
}

/// <summary>The annotated task runs after <see cref="Task"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class IsDependentOnAttribute : Attribute, Internal.ITaskDependency
{
    public Type Task { get; }

    public IsDependentOnAttribute(Type type)
    {
        Task = type;
    }
}

/// <summary>The annotated task runs before <see cref="Task"/> (a reverse dependency).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class IsDependeeOfAttribute : Attribute, Internal.ITaskDependency
{
    public Type Task { get; }

    public IsDependeeOfAttribute(Type type)
    {
        Task = type;
    }
}

/// <summary>A failure of the annotated task is reported, and the run goes on.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ContinueOnErrorAttribute : Attribute
{
}
