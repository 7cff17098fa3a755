namespace MalariaML.Cluster.Jobs;

/// <summary>The grain storage that holds jobs: Redis with <c>--redis</c>, the cluster's memory otherwise.</summary>
public static class ClusterStorage
{
    /// <summary>Storage provider name.</summary>
    public const string Name = "malaria-jobs";
}
