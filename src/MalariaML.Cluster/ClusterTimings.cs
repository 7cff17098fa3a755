using Orleans.Configuration;

namespace MalariaML.Cluster;

/// <summary>
/// How fast the cluster notices a lost node. Orleans' defaults suit long-lived services with many nodes (a dead node
/// declared after tens of seconds); a batch job wants its shards back sooner, and its nodes are few and busy.
/// </summary>
internal static class ClusterTimings
{
    /// <summary>Longest a call may wait for an answer. Default (Orleans) 30 s; grain calls here are bookkeeping of milliseconds.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A node that misses three 2-second probes is suspected; two votes declare it dead (about 6 to 10 s).</summary>
    public static void Membership(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(2);
        o.NumMissedProbesLimit = 3;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
    }
}
