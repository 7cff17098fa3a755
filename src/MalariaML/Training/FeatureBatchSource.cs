using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Training;

/// <summary>Precomputed feature vectors (e.g. cached ResNet18 bottlenecks) as training examples.</summary>
internal sealed class FeatureBatchSource : IBatchSource
{
    private readonly IReadOnlyList<float[]> _features;
    private readonly bool[] _positive;

    /// <summary>Creates a source over feature vectors of one width and their labels.</summary>
    public FeatureBatchSource(IReadOnlyList<float[]> features, IReadOnlyList<bool> positive)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(positive);
        if (features.Count != positive.Count)
        {
            throw new ArgumentException($"{features.Count} feature vectors but {positive.Count} labels");
        }

        _features = features;
        _positive = positive.ToArray();
    }

    /// <inheritdoc/>
    public int Count => _features.Count;

    /// <inheritdoc/>
    public bool IsPositive(int index) => _positive[index];

    /// <inheritdoc/>
    public Tensor Inputs(ReadOnlySpan<int> indices, Random? augment, Device device)
    {
        var width = _features[indices[0]].Length;
        var data = new float[indices.Length * width];
        for (var k = 0; k < indices.Length; k++)
        {
            _features[indices[k]].CopyTo(data, k * width);
        }

        var t = tensor(data, [indices.Length, width]);
        return device.type == DeviceType.CPU ? t : t.to(device);
    }
}
