namespace MalariaML.Cluster.Jobs;

/// <summary>The list of unfinished jobs every node polls for work; one per cluster (key <see cref="Key"/>), persisted.</summary>
[Alias("MalariaML.Cluster.IJobBoardGrain")]
public interface IJobBoardGrain : IGrainWithStringKey
{
    /// <summary>The one board's key.</summary>
    const string Key = "board";

    /// <summary>Adds a job (no-op when listed).</summary>
    [Alias("Post")]
    Task Post(string jobId);

    /// <summary>Removes a finished job.</summary>
    [Alias("Remove")]
    Task Remove(string jobId);

    /// <summary>Unfinished jobs, oldest first.</summary>
    [Alias("Active")]
    Task<IReadOnlyList<string>> Active();
}
