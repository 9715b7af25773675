using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.Scripting;

namespace Cake.Frosting.Internal;

internal interface IFrostingEngine
{
    ExecutionSettings Settings { get; }

    CakeReport Run(IEnumerable<string> targets);
}

/// <summary>
/// Registers the tasks, lifetimes and task lifetimes with Cake's engine, then lets one of Cake's
/// script hosts run the targets: the build itself, the dry run, the tree or the descriptions.
/// </summary>
internal sealed class FrostingEngine<THost> : IFrostingEngine
    where THost : IScriptHost
{
    private readonly THost _host;
    private readonly ICakeEngine _engine;
    private readonly IFrostingContext _context;
    private readonly ICakeLog _log;
    private readonly List<IFrostingTask> _tasks;
    private readonly IFrostingSetup _setup;
    private readonly IFrostingTeardown _teardown;
    private readonly IFrostingTaskSetup _taskSetup;
    private readonly IFrostingTaskTeardown _taskTeardown;

    public FrostingEngine(
        THost host,
        ICakeEngine engine, IFrostingContext context, ICakeLog log,
        IEnumerable<IFrostingTask> tasks,
        IFrostingSetup setup = null, IFrostingTeardown teardown = null,
        IFrostingTaskSetup taskSetup = null, IFrostingTaskTeardown taskTeardown = null)
    {
        _host = host;
        _engine = engine;
        _context = context;
        _log = log;
        _tasks = [.. tasks ?? []];
        _setup = setup;
        _teardown = teardown;
        _taskSetup = taskSetup;
        _taskTeardown = taskTeardown;
    }

    public ExecutionSettings Settings => _host.Settings;

    public CakeReport Run(IEnumerable<string> targets)
    {
        RegisterTasks();
        RegisterLifetime();
        RegisterTaskLifetime();
        return _host.RunTargets(targets);
    }

    private void RegisterLifetime()
    {
        if (_setup is not null)
        {
            _log.Debug("Registering setup: {0}", _setup.GetType().Name);
            _engine.RegisterSetupAction(info => _setup.Setup(_context, info));
        }
        if (_teardown is not null)
        {
            _log.Debug("Registering teardown: {0}", _teardown.GetType().Name);
            _engine.RegisterTeardownAction(info => _teardown.Teardown(_context, info));
        }
    }

    private void RegisterTaskLifetime()
    {
        if (_taskSetup is not null)
        {
            _log.Debug("Registering task setup: {0}", _taskSetup.GetType().Name);
            _engine.RegisterTaskSetupAction(info => _taskSetup.Setup(_context, info));
        }
        if (_taskTeardown is not null)
        {
            _log.Debug("Registering task teardown: {0}", _taskTeardown.GetType().Name);
            _engine.RegisterTaskTeardownAction(info => _taskTeardown.Teardown(_context, info));
        }
    }

    private void RegisterTasks()
    {
        foreach (var task in _tasks)
        {
            var name = task.GetType().TaskName();
            _log.Debug("Registering task: {0}", name);
            if (!task.HasCompatibleContext(_context))
            {
                // As the package does: a task written for another context is left out, with a warning.
                _log.Warning("Task cannot be used since the context isn't convertible to {0}.", task.ContextType().FullName);
                continue;
            }

            var builder = _engine.RegisterTask(name);
            var description = task.Description();
            if (!string.IsNullOrWhiteSpace(description))
            {
                builder.Description(description);
            }
            // Only what a task overrides is handed to the engine, so the report tells an executed
            // task from one that only delegates to its dependencies.
            if (task.IsRunOverridden(_context))
            {
                builder.Does(task.RunAsync);
            }
            if (task.IsOverridden(nameof(IFrostingTask.ShouldRun), _context.GetType()))
            {
                builder.WithCriteria(task.ShouldRun, task.SkippedMessage);
            }
            if (task.IsContinueOnError())
            {
                builder.ContinueOnError();
            }
            if (task.IsOverridden(nameof(IFrostingTask.OnError), typeof(Exception), _context.GetType()))
            {
                builder.OnError(exception => task.OnError(exception, _context));
            }
            if (task.IsOverridden(nameof(IFrostingTask.Finally), _context.GetType()))
            {
                builder.Finally(() => task.Finally(_context));
            }
            foreach (var dependency in task.GetType().GetCustomAttributes(typeof(IsDependentOnAttribute), true).Cast<ITaskDependency>())
            {
                builder.IsDependentOn(ValidTaskName(dependency, "dependency"));
            }
            foreach (var dependee in task.GetType().GetCustomAttributes(typeof(IsDependeeOfAttribute), true).Cast<ITaskDependency>())
            {
                builder.IsDependeeOf(ValidTaskName(dependee, "reverse dependency"));
            }
        }
    }

    private static string ValidTaskName(ITaskDependency dependency, string kind)
    {
        var name = dependency.Task.TaskName();
        if (!typeof(IFrostingTask).IsAssignableFrom(dependency.Task))
        {
            throw new FrostingException($"The {kind} '{name}' is not a valid task.");
        }
        return name;
    }
}
