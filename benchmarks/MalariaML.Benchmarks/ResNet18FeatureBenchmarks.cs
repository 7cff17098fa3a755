using BenchmarkDotNet.Attributes;
using MalariaML.Data;
using MalariaML.Models;
using MalariaML.Preprocessing;
using MalariaML.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using static TorchSharp.torch;

namespace MalariaML.Benchmarks;

/// <summary>
/// 512-d ResNet18 features of decoded cells, same weights (the ONNX files of Microsoft.ML.DnnImageFeaturizer.ResNet18)
/// and same images: ML.NET's <c>ExtractPixels</c> -> <c>DnnFeaturizeImage</c>, which runs ONNX Runtime one row at a
/// time, versus the library's TorchSharp import (<see cref="ResNet18Classifier.Features"/>) on one batch, at 224x224
/// and, TorchSharp only, at the 125x125 the fine-tuned model uses. Both start from 8-bit RGB images in memory and
/// include their conversion to the network's input (MLImage rows + <c>ExtractPixels</c>; one float tensor).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("ResNet18Features")]
public class ResNet18FeatureBenchmarks
{
    /// <summary>Images per invoke (one TorchSharp batch).</summary>
    public const int Images = 64;

    private MLContext ml = null!;
    private ITransformer mlFeaturizer = null!;
    private IReadOnlyList<RgbImage> images224 = [];
    private IReadOnlyList<RgbImage> images125 = [];
    private ResNet18Classifier network = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        var cells = BenchData.Cells(Images);
        images224 = BenchData.Decode(cells, ResNet18Backbone.NativeInputSize).Images;
        images125 = BenchData.Decode(cells, 125).Images;

        ml = new MLContext(seed: 42);
        mlFeaturizer = ml.Transforms.ExtractPixels("Pixels", "Image",
                colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Rgb,
                orderOfExtraction: ImagePixelExtractingEstimator.ColorsOrder.ARGB,
                interleavePixelColors: false)
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"))
            .Fit(ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>()));

        network = new ResNet18Classifier(pretrained: true, trainableStages: 0);
        network.eval();
    }

    /// <summary>
    /// ML.NET: ONNX Runtime session runs per row (preprocessing graph, then ResNet18). The rows are built inside the
    /// timing, as <c>MlNetResNetScorer</c> does per call, because ML.NET disposes the images once it has read them.
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Images)]
    public int MlNet_DnnFeaturizeImage_224()
    {
        var rows = images224.Select(i => new ImageRow { Image = ToMlImage(i) }).ToList();
        try
        {
            var view = mlFeaturizer.Transform(ml.Data.LoadFromEnumerable(rows));
            var column = view.Schema["Features"];
            using var cursor = view.GetRowCursor([column]);
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var features = default(VBuffer<float>);
            var count = 0;
            while (cursor.MoveNext())
            {
                getter(ref features);
                count++;
            }

            return Check(count, features.Length);
        }
        finally
        {
            foreach (var row in rows)
            {
                row.Image?.Dispose();
            }
        }
    }

    /// <summary>TorchSharp: bytes to one float batch, then one forward pass of the imported backbone.</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public int TorchSharp_Batch_224() => Run(images224);

    /// <summary>The same at 125x125 (per-channel mean instead of the 224x224 mean image).</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public int TorchSharp_Batch_125() => Run(images125);

    [GlobalCleanup]
    public void Cleanup()
    {
        (mlFeaturizer as IDisposable)?.Dispose();
        network.Dispose();
    }

    private int Run(IReadOnlyList<RgbImage> images)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var features = network.Features(CellImageLoader.ToTensor(images));
        return Check((int)features.shape[0], (int)features.shape[1]);
    }

    private static int Check(int count, int featureCount)
    {
        if (count != Images || featureCount != ResNet18Backbone.FeatureCount)
        {
            throw new InvalidOperationException($"got {count} x {featureCount} features, expected {Images} x {ResNet18Backbone.FeatureCount}");
        }

        return count;
    }

    private static MLImage ToMlImage(RgbImage image)
    {
        // MLImage takes 32-bit pixels only: pad each RGB triple with an opaque alpha byte (as MlNetResNetScorer does).
        var pixels = image.Width * image.Height;
        var rgba = new byte[pixels * 4];
        for (int p = 0, s = 0, d = 0; p < pixels; p++, s += 3, d += 4)
        {
            rgba[d] = image.Pixels[s];
            rgba[d + 1] = image.Pixels[s + 1];
            rgba[d + 2] = image.Pixels[s + 2];
            rgba[d + 3] = 255;
        }

        return MLImage.CreateFromPixels(image.Width, image.Height, MLPixelFormat.Rgba32, rgba);
    }

    private sealed class ImageRow
    {
        [ImageType(ResNet18Backbone.NativeInputSize, ResNet18Backbone.NativeInputSize)]
        public MLImage? Image { get; set; }
    }
}
