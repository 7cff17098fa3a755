using MalariaML.Inference;

namespace MalariaML.Cluster.Silo;

/// <summary>The one model a node loads at start and scores every shard with, and its checksum.</summary>
public sealed class NodeModel : IDisposable
{
    /// <summary>Loads the model as <c>malaria predict</c> does.</summary>
    public NodeModel(SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Sha256 = ModelChecksum.Of(options.ModelPath);
        Model = MalariaModel.Load(options.ModelPath, options.Device, options.Engine);
    }

    /// <summary>The loaded model.</summary>
    public MalariaModel Model { get; }

    /// <summary>SHA-256 of the model file.</summary>
    public string Sha256 { get; }

    /// <inheritdoc/>
    public void Dispose() => Model.Dispose();
}
