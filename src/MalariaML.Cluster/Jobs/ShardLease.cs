namespace MalariaML.Cluster.Jobs;

/// <summary>A shard handed to one node until <see cref="JobSpec.LeaseSeconds"/> pass or it reports the shard done.</summary>
/// <param name="Spec">The job.</param>
/// <param name="Shard">Shard index, from 0.</param>
[GenerateSerializer, Immutable, Alias("MalariaML.Cluster.ShardLease")]
public sealed record ShardLease([property: Id(0)] JobSpec Spec, [property: Id(1)] int Shard);

/// <summary>The answer to a node asking for work: a shard, nothing (all taken or done), or a refusal naming the reason.</summary>
[GenerateSerializer, Immutable, Alias("MalariaML.Cluster.LeaseAnswer")]
public sealed record LeaseAnswer([property: Id(0)] ShardLease? Lease, [property: Id(1)] string? Refusal)
{
    /// <summary>Nothing to hand out now.</summary>
    public static LeaseAnswer None { get; } = new(null, null);
}

/// <summary>The answer to a submitted job: where it stands, or why it was refused.</summary>
[GenerateSerializer, Immutable, Alias("MalariaML.Cluster.SubmitAnswer")]
public sealed record SubmitAnswer([property: Id(0)] JobProgress Progress, [property: Id(1)] string? Refusal);
