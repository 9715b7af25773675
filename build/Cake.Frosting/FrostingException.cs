namespace Cake.Frosting;

/// <summary>What the host refuses: a missing working directory, a dependency that is no task, a tool without an installer.</summary>
public sealed class FrostingException : Exception
{
    public FrostingException(string message)
        : base(message)
    {
    }

    public FrostingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
