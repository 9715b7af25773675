using Cake.Core;

namespace Cake.Frosting;

public interface IFrostingContext : ICakeContext;

/// <summary>The context every task receives; derive from it to carry the build's own facts.</summary>
public class FrostingContext(ICakeContext context) : CakeContextAdapter(context), IFrostingContext;
