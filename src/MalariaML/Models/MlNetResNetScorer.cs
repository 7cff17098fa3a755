using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Preprocessing;

namespace MalariaML.Models;

/// <summary>STUB: the all-ML.NET resnet18-mlnet baseline (being written).</summary>
public sealed class MlNetResNetScorer : ICellScorer
{
    /// <summary>Model-file entry holding the ML.NET model zip.</summary>
    public const string ModelEntry = "mlnet-model.zip";

    /// <summary>Stub.</summary>
    public static MlNetResNetScorer Train(IReadOnlyList<RgbImage> images, IReadOnlyList<bool> positive, int seed,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("resnet18-mlnet is not implemented yet");

    /// <summary>Stub.</summary>
    public static MlNetResNetScorer Load(byte[] modelZip, string sourceName) => throw new NotSupportedException();

    /// <inheritdoc/>
    public float[] Score(IReadOnlyList<RgbImage> images) => throw new NotSupportedException();

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, byte[]> Save() => throw new NotSupportedException();

    /// <inheritdoc/>
    public void Dispose() { }
}
