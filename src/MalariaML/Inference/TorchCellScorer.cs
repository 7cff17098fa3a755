using MalariaML.Data;
using MalariaML.Models;
using MalariaML.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Inference;

/// <summary>Scores cells with a TorchSharp network, one forward pass per batch, serialised so it is safe across threads.</summary>
internal sealed class TorchCellScorer : ICellScorer
{
    /// <summary>Name of the model-file entry holding the weights.</summary>
    public const string WeightsEntry = "weights.bin";

    private readonly Lock _forward = new();

    /// <summary>Wraps <paramref name="network"/> (inputs RGB in [0, 1], outputs logits), placed on <paramref name="device"/>.</summary>
    public TorchCellScorer(nn.Module<Tensor, Tensor> network, Device? device = null, int batchSize = 64)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Device = device ?? CPU;
        BatchSize = batchSize;
        Network.to(Device);
    }

    /// <summary>The network.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>Where the network runs.</summary>
    public Device Device { get; }

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public float[] Score(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var result = new float[images.Count];
        if (images.Count == 0)
        {
            return result;
        }

        lock (_forward)
        {
            Network.eval();
            using var inference = inference_mode();
            var indices = Enumerable.Range(0, images.Count).ToArray();
            for (var start = 0; start < images.Count; start += BatchSize)
            {
                using var scope = NewDisposeScope();
                var batch = indices.AsSpan(start, Math.Min(BatchSize, images.Count - start));
                var input = CellImageLoader.ToTensor(images, batch, Device, channelsLast: true);
                Network.call(input).sigmoid().to(CPU).data<float>().ToArray().CopyTo(result, start);
            }
        }

        return result;
    }

    /// <summary>Runs <paramref name="work"/> on the network while no other call uses it (e.g. Grad-CAM's backward pass).</summary>
    internal T RunExclusive<T>(Func<nn.Module<Tensor, Tensor>, Device, T> work)
    {
        lock (_forward)
        {
            return work(Network, Device);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, byte[]> Save()
    {
        lock (_forward)
        {
            return new Dictionary<string, byte[]> { [WeightsEntry] = ModuleState.Save(Network) };
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Network.Dispose();
}
