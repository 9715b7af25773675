using Cake.Core;

namespace Cake.Frosting;

/// <summary>Runs once before the first task.</summary>
public interface IFrostingSetup
{
    void Setup(ICakeContext context, ISetupContext info);
}

/// <summary>Runs once after the last task, whether the run failed or not.</summary>
public interface IFrostingTeardown
{
    void Teardown(ICakeContext context, ITeardownContext info);
}

/// <summary>A setup and a teardown in one.</summary>
public interface IFrostingLifetime : IFrostingSetup, IFrostingTeardown
{
}

/// <summary>Runs before every task.</summary>
public interface IFrostingTaskSetup
{
    void Setup(ICakeContext context, ITaskSetupContext info);
}

/// <summary>Runs after every task.</summary>
public interface IFrostingTaskTeardown
{
    void Teardown(ICakeContext context, ITaskTeardownContext info);
}

/// <summary>A task setup and a task teardown in one.</summary>
public interface IFrostingTaskLifetime : IFrostingTaskSetup, IFrostingTaskTeardown
{
}
