namespace MalariaML.Cluster.Jobs;

/// <summary>A job's persisted state: its spec and the shards finished so far.</summary>
[GenerateSerializer, Alias("MalariaML.Cluster.JobState")]
public sealed class JobState
{
    [Id(0)] public JobSpec? Spec { get; set; }

    [Id(1)] public SortedSet<int> Done { get; set; } = [];

    /// <summary>Failed attempts of unfinished shards.</summary>
    [Id(2)] public Dictionary<int, int> Attempts { get; set; } = [];

    /// <summary>Why the job failed (a shard ran out of attempts); null while it has not.</summary>
    [Id(3)] public string? Failure { get; set; }

    /// <summary>The shard that ran out of attempts.</summary>
    [Id(4)] public int? FailedShard { get; set; }
}

/// <summary>The job board's persisted state.</summary>
[GenerateSerializer, Alias("MalariaML.Cluster.JobBoardState")]
public sealed class JobBoardState
{
    [Id(0)] public List<string> Jobs { get; set; } = [];
}
