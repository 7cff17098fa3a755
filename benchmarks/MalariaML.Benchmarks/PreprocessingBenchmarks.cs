using BenchmarkDotNet.Attributes;
using MalariaML.Data;
using MalariaML.Preprocessing;
using MalariaML.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MalariaML.Benchmarks;

/// <summary>
/// Files to 125x125 planar RGB floats in [0, 1]: ML.NET's <c>LoadImages</c> -> <c>ResizeImages</c> -> <c>ExtractPixels</c>
/// through an <see cref="IDataView"/> (the library's <see cref="MlNetImagePipeline"/> without its label key), read row by
/// row as ML.NET does, versus the library's batched path (<see cref="CellImageLoader.Decode"/> in parallel, then
/// float tensors of 64 images in channels-last layout, as the scorer and the trainer make them).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Preprocessing")]
public class PreprocessingBenchmarks
{
    /// <summary>Files per invoke (evenly picked from the folder).</summary>
    public const int Images = 256;

    private const int Size = 125;

    private const int Batch = 64;

    private IReadOnlyList<CellImage> cells = [];
    private MLContext ml = null!;
    private IDataView rows = null!;
    private ITransformer mlNet = null!;
    private CellImageLoader bilinear = null!;
    private CellImageLoader nearest = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        cells = BenchData.Cells(Images);
        ml = new MLContext(seed: 42);
        rows = MlNetImagePipeline.ToDataView(ml, cells);
        // The library's pipeline minus its last step (MapValueToKey of the label), so only image work is timed.
        var fitted = MlNetImagePipeline.Create(ml, ImageLoadOptions.Square(Size)).Fit(rows);
        var steps = ((IEnumerable<ITransformer>)fitted).ToArray();
        if (steps[^1] is not ValueToKeyMappingTransformer)
        {
            throw new InvalidOperationException($"expected the pipeline to end with the label key, found {steps[^1].GetType().Name}");
        }

        mlNet = new TransformerChain<ITransformer>(steps[..^1]);
        bilinear = new CellImageLoader(ImageLoadOptions.Square(Size));
        nearest = new CellImageLoader(ImageLoadOptions.Square(Size) with { Sampling = ResizeSampling.Nearest });
    }

    /// <summary>ML.NET, one row at a time on one thread (nearest-neighbour resize, as <c>Fill</c> does).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Images)]
    public int MlNet_LoadResizeExtract()
    {
        var view = mlNet.Transform(rows);
        var column = view.Schema[MlNetImagePipeline.PixelsColumn];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var pixels = default(VBuffer<float>);
        var count = 0;
        while (cursor.MoveNext())
        {
            getter(ref pixels);
            count++;
        }

        return Check(count, pixels.Length);
    }

    /// <summary>The library's default: parallel decode with bilinear resize, then float tensors of 64 (N, 3, 125, 125).</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public int Library_DecodeToTensor_Bilinear() => Run(bilinear);

    /// <summary>The same with nearest-neighbour resize, whose pixels equal ML.NET's byte for byte.</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public int Library_DecodeToTensor_Nearest() => Run(nearest);

    [GlobalCleanup]
    public void Cleanup() => (mlNet as IDisposable)?.Dispose();

    private int Run(CellImageLoader loader)
    {
        // As the scorer and the trainer do: decode everything in parallel, then one float tensor per batch of 64 in
        // the channels-last layout the networks use.
        var decoded = loader.Decode(cells);
        var indices = Enumerable.Range(0, decoded.Images.Count).ToArray();
        var values = 0L;
        for (var start = 0; start < indices.Length; start += Batch)
        {
            using var batch = CellImageLoader.ToTensor(decoded.Images, indices.AsSpan(start, Math.Min(Batch, indices.Length - start)), null, channelsLast: true);
            values += batch.numel();
        }

        return Check(decoded.Images.Count, (int)(values / decoded.Images.Count));
    }

    private static int Check(int count, int valuesPerImage)
    {
        if (count != Images || valuesPerImage != 3 * Size * Size)
        {
            throw new InvalidOperationException($"got {count} images of {valuesPerImage} values, expected {Images} of {3 * Size * Size}");
        }

        return count;
    }
}
