using MalariaML.Models;

namespace MalariaML.Inference;

/// <summary>Rebuilds the ML.NET scorer of a <c>resnet18-mlnet</c> model file.</summary>
internal static class MlNetScorerLoader
{
    public static ICellScorer Load(string path, IReadOnlyDictionary<string, byte[]> payloads)
        => payloads.TryGetValue(MlNetResNetScorer.ModelEntry, out var bytes)
            ? MlNetResNetScorer.Load(bytes, path)
            : throw new ModelFileException(path, $"missing entry '{MlNetResNetScorer.ModelEntry}'");
}
