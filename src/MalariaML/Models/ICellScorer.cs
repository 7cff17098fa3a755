using MalariaML.Data;

namespace MalariaML.Models;

/// <summary>
/// What a <see cref="Inference.MalariaModel"/> delegates to: turns decoded cells into probabilities of the positive class, and
/// serialises itself into model-file entries. One implementation per engine (TorchSharp, ML.NET).
/// </summary>
internal interface ICellScorer : IDisposable
{
    /// <summary>Probabilities of the positive class for images decoded at the model's input size.</summary>
    float[] Score(IReadOnlyList<RgbImage> images);

    /// <summary>The entries this scorer stores in a <c>.malaria</c> file (name to bytes).</summary>
    IReadOnlyDictionary<string, byte[]> Save();
}
