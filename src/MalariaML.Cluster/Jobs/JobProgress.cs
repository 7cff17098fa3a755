namespace MalariaML.Cluster.Jobs;

/// <summary>Where a job stands.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Exists">False when the cluster knows no job of that name.</param>
/// <param name="Shards">Number of shards.</param>
/// <param name="ShardsDone">Shards scored and written.</param>
/// <param name="ShardsLeased">Shards a node is scoring now (as far as this activation of the job knows).</param>
/// <param name="Files">Number of files.</param>
/// <param name="ModelSha256">The model the job needs.</param>
/// <param name="Refusals">Nodes refused because their model differs, one line each.</param>
/// <param name="Failure">Why the job failed: the shard that ran out of attempts and its last error; null while it has not.</param>
/// <param name="FailedShard">The shard that ran out of attempts.</param>
[GenerateSerializer, Immutable, Alias("MalariaML.Cluster.JobProgress")]
public sealed record JobProgress(
    [property: Id(0)] string JobId,
    [property: Id(1)] bool Exists,
    [property: Id(2)] int Shards,
    [property: Id(3)] int ShardsDone,
    [property: Id(4)] int ShardsLeased,
    [property: Id(5)] int Files,
    [property: Id(6)] string ModelSha256,
    [property: Id(7)] IReadOnlyList<string> Refusals,
    [property: Id(8)] string? Failure = null,
    [property: Id(9)] int? FailedShard = null)
{
    /// <summary>Whether every shard is done.</summary>
    public bool Finished => Exists && ShardsDone == Shards;
}
