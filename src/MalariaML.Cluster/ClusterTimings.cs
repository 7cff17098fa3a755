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

    /// <summary>
    /// A node that misses three 3-second probes is suspected; two votes declare it dead (about 10 to 15 s). Shorter
    /// probes declared live but CPU-starved nodes dead on a loaded 2-core machine.
    /// </summary>
    public static void Membership(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(3);
        o.NumMissedProbesLimit = 3;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
    }
}
