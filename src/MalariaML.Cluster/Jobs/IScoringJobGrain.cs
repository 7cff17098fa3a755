namespace MalariaML.Cluster.Jobs;

/// <summary>
/// One scoring job, keyed by its id. Its persisted state is the spec and the set of finished shards; leases live only
/// in memory, so when the job's node is lost the next activation simply hands every unfinished shard out again
/// (at-least-once scoring; the shard files make the output exactly-once).
/// </summary>
[Alias("MalariaML.Cluster.IScoringJobGrain")]
public interface IScoringJobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the job, or finds it when it exists with the same manifest and model (a resubmitted job resumes); the
    /// answer's refusal says why a job of that id with other files or another model cannot be taken.
    /// </summary>
    [Alias("Submit")]
    Task<SubmitAnswer> Submit(JobSpec spec);

    /// <summary>Hands an unfinished, unleased (or expired) shard to <paramref name="node"/>, unless its model differs.</summary>
    [Alias("Lease")]
    Task<LeaseAnswer> Lease(string node, string modelSha256);

    /// <summary>
    /// Extends <paramref name="node"/>'s lease on a shard it is still working on (or takes it again when the job's
    /// activation lost its leases and nobody else holds it). False when the shard is done or another node holds it.
    /// </summary>
    [Alias("Renew")]
    Task<bool> Renew(int shard, string node);

    /// <summary>Records a shard as scored and written. Idempotent: a shard scored twice counts once.</summary>
    [Alias("Complete")]
    Task<JobProgress> Complete(int shard, string node);

    /// <summary>
    /// Records a failed attempt at a shard (the node could not score or write it); the shard goes out again until it has
    /// failed <see cref="JobSpec.MaxAttempts"/> times, and then the whole job fails, naming the shard and the reason.
    /// </summary>
    [Alias("Fail")]
    Task<JobProgress> Fail(int shard, string node, string reason);

    /// <summary>Where the job stands.</summary>
    [Alias("Progress")]
    Task<JobProgress> Progress();
}
