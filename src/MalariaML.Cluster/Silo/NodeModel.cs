using MalariaML.Inference;

namespace MalariaML.Cluster.Silo;

/// <summary>
/// The model a node loads at start and scores every shard with, and its checksum. Only the node's one scoring loop
/// uses it, one shard at a time, so a job's threshold can be set on it for the length of a shard.
/// </summary>
public sealed class NodeModel : IDisposable
{
    private readonly SiloOptions _options;
    private readonly double _threshold;
    private MalariaModel? _fieldModel;

    /// <summary>Loads the model as <c>malaria predict</c> does.</summary>
    public NodeModel(SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Sha256 = ModelChecksum.Of(options.ModelPath);
        Model = MalariaModel.Load(options.ModelPath, options.Device, options.Engine);
        _threshold = Model.Metadata.Threshold;
    }

    /// <summary>The loaded model, for jobs of cells.</summary>
    public MalariaModel Model { get; }

    /// <summary>SHA-256 of the model file.</summary>
    public string Sha256 { get; }

    /// <summary>
    /// The model for jobs of fields, run by the engine <c>malaria screen</c> uses (TorchSharp), so that a field job's
    /// tables equal screen's to the last digit. Loaded on the first field shard (the same file, so the same checksum),
    /// and the cell model itself when the node runs TorchSharp anyway.
    /// </summary>
    public MalariaModel FieldModel
    {
        get
        {
            if (MalariaModel.Resolve(_options.Engine) == ScoringEngine.TorchSharp)
            {
                return Model;
            }

            return _fieldModel ??= MalariaModel.Load(_options.ModelPath, _options.Device, ScoringEngine.TorchSharp);
        }
    }

    /// <summary>Calls cells at <paramref name="threshold"/> (a job's <c>--threshold</c>), or at the model's own when null.</summary>
    public void UseThreshold(double? threshold)
    {
        var t = threshold ?? _threshold;
        Model.UpdateMetadata(m => m with { Threshold = t });
        _fieldModel?.UpdateMetadata(m => m with { Threshold = t });
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Model.Dispose();
        _fieldModel?.Dispose();
    }
}
