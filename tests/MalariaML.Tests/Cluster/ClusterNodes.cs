using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace MalariaML.Tests.Cluster;

/// <summary>One <c>malaria cluster silo</c> child process and the ports it listens on.</summary>
internal sealed record ClusterNode(CliChild Process, int SiloPort, int GatewayPort)
{
    /// <summary>The name the node gives itself in its lines (its silo endpoint).</summary>
    public string Name => $"127.0.0.1:{SiloPort}";
}

/// <summary>
/// The silo processes of one test, all killed on dispose. Parses the nodes' progress lines: "node N: scoring shard S
/// of job J (...)" and "node N: shard S of job J done (...)".
/// </summary>
/// With <c>redis</c> null the nodes cluster on loopback without Redis (the first node started is the primary).
internal sealed partial class ClusterNodes(string? redis, ITestOutputHelper log) : IDisposable
{
    private readonly List<ClusterNode> _nodes = [];

    [GeneratedRegex(@"^node (\S+): scoring shard (\d+) of job (\S+) ")]
    private static partial Regex Scoring();

    [GeneratedRegex(@"^node (\S+): shard (\d+) of job (\S+) done ")]
    private static partial Regex Done();

    public IReadOnlyList<ClusterNode> All => _nodes;

    /// <summary>Starts a node (new free ports unless given) with a model; waits for it with <see cref="WaitReady"/>.</summary>
    public ClusterNode Start(string model, IReadOnlyDictionary<string, string>? environment = null, int? siloPort = null, int? gatewayPort = null)
    {
        var ports = FreePorts.Take(2);
        var (silo, gateway) = (siloPort ?? ports[0], gatewayPort ?? ports[1]);
        var join = redis is null
            ? ["--primary-port", (_nodes.FirstOrDefault()?.SiloPort ?? silo).ToString(CultureInfo.InvariantCulture)]
            : new[] { "--redis", redis };
        var child = new CliChild($"node {silo}", ["cluster", "silo", .. join, "--model", model,
            "--port", silo.ToString(CultureInfo.InvariantCulture), "--gateway-port", gateway.ToString(CultureInfo.InvariantCulture)], environment);
        var node = new ClusterNode(child, silo, gateway);
        _nodes.Add(node);
        return node;
    }

    public static void WaitReady(params ClusterNode[] nodes)
    {
        foreach (var node in nodes)
        {
            node.Process.WaitFor(l => l.StartsWith($"node {node.Name} ready", StringComparison.Ordinal), TimeSpan.FromMinutes(2), "ready line");
        }
    }

    /// <summary>Shards of a job that a node reported done (the job persisted them before the node printed the line).</summary>
    public static IEnumerable<(string Node, int Shard)> DoneShards(IEnumerable<ClusterNode> nodes, string job) => Matches(nodes, Done(), job);

    /// <summary>Shards of a job that a node started scoring.</summary>
    public static IEnumerable<(string Node, int Shard)> ScoredShards(IEnumerable<ClusterNode> nodes, string job) => Matches(nodes, Scoring(), job);

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Process.Dispose();
            try
            {
                log.WriteLine(node.Process.Transcript);
            }
            catch (InvalidOperationException)
            {
                // The test has ended; nothing is listening.
            }
        }
    }

    private static IEnumerable<(string Node, int Shard)> Matches(IEnumerable<ClusterNode> nodes, Regex pattern, string job)
    {
        foreach (var line in nodes.SelectMany(n => n.Process.Lines))
        {
            var m = pattern.Match(line);
            if (m.Success && m.Groups[3].Value == job)
            {
                yield return (m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            }
        }
    }
}
