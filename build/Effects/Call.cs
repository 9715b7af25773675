using Cake.Core;

namespace Pipeline.Effects;

/// <summary>
/// A request that changes something remote (an HTTP write through a client library): the plan
/// prints <paramref name="description"/>, the real run awaits <paramref name="call"/>.
/// </summary>
public sealed class Call<TResult>(string description, Func<Task<TResult>> call, TResult planned) : Effect<TResult>
{
    public override TResult Planned => planned;

    public override string Describe() => description;

    public override Task<TResult> ExecuteAsync(ICakeContext context) => call();
}
