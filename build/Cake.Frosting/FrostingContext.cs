using Cake.Core;

namespace Cake.Frosting;

/// <summary>The context every task receives.</summary>
public interface IFrostingContext : ICakeContext
{
}

/// <summary>The default context; derive from it to carry the build's own facts.</summary>
public class FrostingContext : CakeContextAdapter, IFrostingContext
{
    public FrostingContext(ICakeContext context)
        : base(context)
    {
    }
}
