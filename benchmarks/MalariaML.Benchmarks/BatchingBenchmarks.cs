using System.Collections.Concurrent;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Runtime;
using static TorchSharp.torch;

namespace MalariaML.Benchmarks;

/// <summary>
/// A server's view of scoring: 16 callers, each asking for one cell at a time (4 in a row, 64 in all per operation),
/// through <see cref="BatchingCellScorer"/> (default options) or straight to the scorer, against one call with a batch
/// of 64. Ratio = time per image relative to the batch of 64; the p95 column is each request's latency from call to
/// answer (over all iterations, warm-up included).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Batching")]
public class BatchingBenchmarks
{
    /// <summary>Concurrent callers.</summary>
    public const int Callers = 16;

    /// <summary>Single-cell requests per caller per operation.</summary>
    public const int RequestsPerCaller = 4;

    /// <summary>Images per operation in every case.</summary>
    public const int Images = Callers * RequestsPerCaller;

    private TorchCellScorer scorer = null!;
    private BatchingCellScorer batching = null!;
    private IReadOnlyList<RgbImage> images = null!;

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    public static IEnumerable<string> Models => [ModelCatalog.BasicCnn];

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        var (network, size) = Networks.Create(Model);
        scorer = new TorchCellScorer(network, CPU, batchSize: Images);
        batching = new BatchingCellScorer(scorer);
        images = BenchData.CycledImages(Images, size);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Images)]
    [Work(ForwardPass = true)]
    public float Batch64() => scorer.Score(images)[0];

    [Benchmark(OperationsPerInvoke = Images)]
    [Work(ForwardPass = true)]
    public float Callers16Batched() => Callers16(request => batching.ScoreAsync(request), nameof(Callers16Batched));

    [Benchmark(OperationsPerInvoke = Images)]
    [Work(ForwardPass = true)]
    public float Callers16Unbatched() => Callers16(request => Task.FromResult(scorer.Score(request)), nameof(Callers16Unbatched));

    [GlobalCleanup]
    public void Cleanup()
    {
        batching.Dispose();
        scorer.Dispose();
    }

    private float Callers16(Func<IReadOnlyList<RgbImage>, Task<float[]>> score, string method)
    {
        var latencies = Latency.For(method, Model);
        var callers = Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            var sum = 0f;
            for (var k = 0; k < RequestsPerCaller; k++)
            {
                var started = Stopwatch.GetTimestamp();
                sum += (await score([images[(c * RequestsPerCaller) + k]]).ConfigureAwait(false))[0];
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return sum;
        })).ToArray();
        return Task.WhenAll(callers).GetAwaiter().GetResult().Sum();
    }
}

/// <summary>Request latencies of the in-process benchmarks, by method and model, for the p95 column.</summary>
internal static class Latency
{
    private static readonly ConcurrentDictionary<string, ConcurrentBag<double>> Samples = new();

    public static ConcurrentBag<double> For(string method, string model) => Samples.GetOrAdd($"{method}/{model}", _ => []);

    /// <summary>The 95th percentile in milliseconds, or null when none was recorded.</summary>
    public static double? P95(string method, string model)
    {
        if (!Samples.TryGetValue($"{method}/{model}", out var bag) || bag.IsEmpty)
        {
            return null;
        }

        var sorted = bag.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(0.95 * sorted.Length) - 1)];
    }
}
