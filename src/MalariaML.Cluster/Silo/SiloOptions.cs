using MalariaML.Inference;

namespace MalariaML.Cluster.Silo;

/// <summary>One scoring node.</summary>
public sealed record SiloOptions
{
    /// <summary>The model file this node loads once and scores every shard with.</summary>
    public required string ModelPath { get; init; }

    /// <summary>How the node finds the cluster.</summary>
    public ClusterConnection Connection { get; init; } = new();

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>Port clients connect to. Default 30000.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>
    /// Address other nodes reach this one at. Default: loopback when Redis is local or without Redis, else the first
    /// non-loopback IPv4 address Orleans finds.
    /// </summary>
    public string? Address { get; init; }

    /// <summary>auto, cpu or cuda, as for <c>malaria predict</c>. Default cpu.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>What runs the network, as for <c>malaria predict</c>. Default auto (ONNX Runtime).</summary>
    public ScoringEngine Engine { get; init; } = ScoringEngine.Auto;

    /// <summary>Wait between polls for work when no shard is free. Default 250 ms: small next to a shard's seconds.</summary>
    public TimeSpan IdlePoll { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Pause before scoring each shard. Default zero. Tests set it (environment <c>MALARIAML_TEST_SHARD_PAUSE_MS</c>)
    /// so that a job over a few thousand small cells lasts long enough to lose a node in the middle of it.
    /// </summary>
    public TimeSpan ShardPause { get; init; } = TimeSpan.Zero;
}
