namespace MalariaML.Cluster.Client;

/// <summary>A scoring job to submit.</summary>
public sealed record JobRequest
{
    /// <summary>Image files, in the order the merged outputs list them; made absolute, since every node reads them.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>The job's folder on storage every node reads and writes.</summary>
    public required string OutputDir { get; init; }

    /// <summary>SHA-256 of the model that must score the job (see <see cref="ModelChecksum"/>).</summary>
    public required string ModelSha256 { get; init; }

    /// <summary>Job id; default: derived from the full path of <see cref="OutputDir"/>, so re-running the same command resumes the job.</summary>
    public string? JobId { get; init; }

    /// <summary>
    /// Files per shard. Default 500: a few seconds of work per shard on a 2-core node, so a lost node costs little,
    /// while thousands of cells per job grain call keep the job's bookkeeping far below the scoring.
    /// </summary>
    public int ShardSize { get; init; } = 500;

    /// <summary>Probability at which a cell is called parasitized. Default null: the model's own, as <c>malaria predict</c> without <c>--threshold</c>.</summary>
    public double? Threshold { get; init; }

    /// <summary>Set for a job of whole field photographs, screened as <c>malaria screen</c> does; default null: a job of cells.</summary>
    public Storage.FieldJobSettings? Fields { get; init; }

    /// <summary>Attempts a shard gets before the job fails. Default 4 (see <see cref="Jobs.JobSpec.MaxAttempts"/>).</summary>
    public int MaxAttempts { get; init; } = Jobs.JobSpec.DefaultMaxAttempts;

    /// <summary>How long a node may hold a shard before it goes to another. Default 60 s (see <see cref="Jobs.JobSpec.LeaseSeconds"/>).</summary>
    public int LeaseSeconds { get; init; } = 60;

    /// <summary>Longest the job may wait on an unreachable cluster (all nodes lost) before giving up. Default 10 minutes.</summary>
    public TimeSpan PatienceWithoutCluster { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Wait between progress polls. Default 500 ms.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(500);
}
