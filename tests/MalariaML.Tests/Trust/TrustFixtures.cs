using MalariaML.Data;
using MalariaML.Models;
using MalariaML.Inference;
using MalariaML.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Tests.Trust;

/// <summary>Small models and scorers for the calibration, TTA and ensemble tests.</summary>
internal static class TrustFixtures
{
    static TrustFixtures() => MalariaML.Runtime.TorchRuntime.EnsureInitialized();

    /// <summary>Loads libtorch the library's way before a test calls TorchSharp itself.</summary>
    public static void EnsureTorch() => MalariaML.Runtime.TorchRuntime.EnsureInitialized();

    public static ModelMetadata Metadata(int size, string kind = "basic-cnn") => new()
    {
        ModelKind = kind,
        InputWidth = size,
        InputHeight = size,
        ClassNames = ["Uninfected", "Parasitized"],
        PositiveClass = "Parasitized",
    };

    /// <summary>An untrained basic-cnn at 32 px with weights from <paramref name="seed"/>: a real network a model file can hold.</summary>
    public static MalariaModel BasicCnn(int seed)
    {
        torch.manual_seed(seed);
        return new MalariaModel(new TorchCellScorer(new MalariaML.Models.BasicCnn(32)), Metadata(32));
    }

    /// <summary>Real sample cells decoded at <paramref name="size"/>.</summary>
    public static IReadOnlyList<RgbImage> Cells(int size = 32, int perClass = 6)
        => new CellImageLoader(ImageLoadOptions.Square(size)).Decode(TestData.SampleCells(perClass)).Images;

    /// <summary>
    /// A TorchSharp network whose output cannot depend on orientation: the mean colour of the image through a linear
    /// layer (global average pooling first).
    /// </summary>
    public static nn.Module<Tensor, Tensor> PooledNetwork(int seed)
    {
        torch.manual_seed(seed);
        return new Pooled();
    }

    private sealed class Pooled : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear _linear = nn.Linear(3, 1);

        public Pooled() : base(nameof(Pooled)) => RegisterComponents();

        public override Tensor forward(Tensor input) => _linear.call(input.mean([2, 3]).mul(8f).sub(4f)).squeeze(1);
    }

    /// <summary>Scores an image by the mean red of its top row: depends on orientation, and the 8 views average to the four borders' mean.</summary>
    public sealed class TopRowScorer : ICellScorer
    {
        public float[] Score(IReadOnlyList<RgbImage> images)
            => images.Select(i => (float)Enumerable.Range(0, i.Width).Average(x => i.Pixels[x * 3] / 255.0)).ToArray();

        public IReadOnlyDictionary<string, byte[]> Save() => new Dictionary<string, byte[]>();

        public void Dispose()
        {
        }
    }
}
