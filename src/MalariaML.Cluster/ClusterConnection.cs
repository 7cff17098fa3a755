using System.Net;

namespace MalariaML.Cluster;

/// <summary>
/// How nodes and clients find each other: through Redis (<c>--redis HOST:PORT</c>: membership and job state survive
/// any node), or on one machine through fixed loopback ports (job state lives in the cluster's memory).
/// </summary>
public sealed record ClusterConnection
{
    /// <summary>Redis endpoint (<c>HOST:PORT</c>, any StackExchange.Redis configuration string); null for localhost clustering.</summary>
    public string? Redis { get; init; }

    /// <summary>Cluster and service id shared by every node and client of one cluster. Default <c>malaria</c>.</summary>
    public string ClusterId { get; init; } = "malaria";

    /// <summary>Silo-to-silo port of the first node in localhost clustering, which the others join through. Default 11111 (Orleans').</summary>
    public int PrimarySiloPort { get; init; } = 11111;

    /// <summary>Client gateway ports to try in localhost clustering. Default 30000 (Orleans').</summary>
    public IReadOnlyList<int> GatewayPorts { get; init; } = [30000];

    /// <summary>Whether this is a one-machine trial without Redis.</summary>
    public bool Localhost => string.IsNullOrWhiteSpace(Redis);

    /// <summary>Whether Redis runs on this machine, so nodes may advertise loopback addresses.</summary>
    internal bool RedisIsLocal
    {
        get
        {
            var host = Redis?.Split(',')[0].Trim() ?? "";
            var colon = host.LastIndexOf(':');
            host = colon > 0 ? host[..colon] : host;
            return host is "localhost" or "127.0.0.1" or "::1" or "[::1]" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
        }
    }
}
