namespace MalariaML.Cluster.Jobs;

/// <summary>
/// What a job is, as the cluster keeps it: where its manifest lies (the file list stays on shared storage, so millions
/// of paths never pass through the job's grain state), how it is cut, and which model must score it.
/// </summary>
[GenerateSerializer, Immutable, Alias("MalariaML.Cluster.JobSpec")]
public sealed record JobSpec
{
    /// <summary>The job's name, unique in the cluster.</summary>
    [Id(0)] public required string JobId { get; init; }

    /// <summary>The job's folder on storage every node reads and writes: manifest, shards, merged outputs.</summary>
    [Id(1)] public required string OutputDir { get; init; }

    /// <summary>SHA-256 of the manifest file, so a node never scores from a manifest that changed under the job.</summary>
    [Id(2)] public required string ManifestSha256 { get; init; }

    /// <summary>Number of shards the manifest is cut into.</summary>
    [Id(3)] public required int ShardCount { get; init; }

    /// <summary>Number of files in the job.</summary>
    [Id(4)] public required int FileCount { get; init; }

    /// <summary>SHA-256 of the model file; a node whose model differs is refused.</summary>
    [Id(5)] public required string ModelSha256 { get; init; }

    /// <summary>
    /// How long a node may hold a shard before it is handed to another. Default 60 s: many times the few seconds a
    /// shard of a few hundred cells takes, and short enough that a lost node delays its shards by about a minute.
    /// </summary>
    [Id(6)] public int LeaseSeconds { get; init; } = 60;

    /// <summary>
    /// Attempts a shard gets before the job fails: a node reporting an error while scoring it, or a lease running out
    /// (the node was lost) each count one. Default 4 (Spark's task retry count): a lost node or a passing storage error
    /// costs one attempt, while a shard that breaks every node that takes it stops the job in minutes, not never.
    /// </summary>
    [Id(7)] public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    /// <summary>The default of <see cref="MaxAttempts"/>.</summary>
    public const int DefaultMaxAttempts = 4;
}
