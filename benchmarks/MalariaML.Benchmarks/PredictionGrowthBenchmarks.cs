using System.Globalization;
using BenchmarkDotNet.Attributes;
using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Runtime;

namespace MalariaML.Benchmarks;

/// <summary>
/// How prediction time grows with the number of cells: <see cref="TorchCellScorer.Score"/> of <c>basic-cnn</c> (batches
/// of 64, bytes to tensor, forward, sigmoid) over 1k, 5k and 20k decoded cells (the folder's cells cycled). One
/// operation is one call over <see cref="Cells"/> cells, so Mean is the time for all of them and the slope between
/// sizes is the cost per cell; the Images/s column divides by <see cref="Cells"/>.
/// </summary>
/// <remarks>
/// One 20k-cell call costs about 6.8 TFLOP (minutes on a small CPU), so the automatic warmup and iteration counts are
/// capped as for the bfloat16 matmul; the caps do not affect jobs that fix the counts (<c>--job dry</c> runs once).
/// </remarks>
[MemoryDiagnoser]
[WarmupCount(1)]
[IterationCount(3)]
[MinWarmupCount(1)]
[MaxWarmupCount(3)]
[MinIterationCount(3)]
[MaxIterationCount(8)]
[BenchmarkCategory("PredictionGrowth")]
public class PredictionGrowthBenchmarks
{
    /// <summary>Comma-separated cell counts replacing the default 1000,5000,20000 (e.g. a quick smoke run).</summary>
    public const string CellsVariable = "MALARIAML_BENCH_GROWTH_CELLS";

    private TorchCellScorer scorer = null!;
    private IReadOnlyList<RgbImage> images = [];

    [Params(ModelCatalog.BasicCnn)]
    public string Model { get; set; } = ModelCatalog.BasicCnn;

    [ParamsSource(nameof(CellCounts))]
    public int Cells { get; set; }

    public static IEnumerable<int> CellCounts
        => Environment.GetEnvironmentVariable(CellsVariable) is { Length: > 0 } custom
            ? custom.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.Parse(s, CultureInfo.InvariantCulture))
            : [1_000, 5_000, 20_000];

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        var (network, size) = Networks.Create(Model);
        scorer = new TorchCellScorer(network, batchSize: 64);
        images = BenchData.CycledImages(Cells, size);
    }

    [Benchmark]
    [Work(ForwardPass = true)]
    public int Predict()
    {
        var scores = scorer.Score(images);
        return scores.Length == Cells ? scores.Length : throw new InvalidOperationException($"{scores.Length} scores for {Cells} cells");
    }

    [GlobalCleanup]
    public void Cleanup() => scorer.Dispose();
}
