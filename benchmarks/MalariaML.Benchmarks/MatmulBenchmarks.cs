using BenchmarkDotNet.Attributes;
using MalariaML.Runtime;
using static TorchSharp.torch;

namespace MalariaML.Benchmarks;

/// <summary>
/// Reference: libtorch <c>matmul</c> of two 2048x2048 matrices in float32 and bfloat16 (2 x 2048^3 = 17.2 GFLOP each),
/// the machine's dense arithmetic rate against which the networks' effective GFLOP/s can be read.
/// </summary>
/// <remarks>
/// On CPUs without native bfloat16 arithmetic (AVX512-BF16 or AMX) libtorch falls back to a scalar kernel and one
/// bfloat16 product takes tens of seconds (58 s on the 2-core development VM), so the automatic warmup and iteration
/// counts are capped here. The caps apply only where the job leaves the counts automatic (the default job); <c>--job dry</c>
/// still runs once.
/// </remarks>
[MemoryDiagnoser]
[MinWarmupCount(1)]
[MaxWarmupCount(3)]
[MinIterationCount(3)]
[MaxIterationCount(8)]
[BenchmarkCategory("Reference")]
public class MatmulBenchmarks
{
    /// <summary>Matrix side.</summary>
    public const int N = 2048;

    /// <summary>Arithmetic of one product in GFLOP.</summary>
    public const double Gflop = 2.0 * N * N * N / 1e9;

    private Tensor a32 = null!;
    private Tensor b32 = null!;
    private Tensor a16 = null!;
    private Tensor b16 = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        manual_seed(42);
        a32 = randn(N, N);
        b32 = randn(N, N);
        a16 = a32.to(ScalarType.BFloat16);
        b16 = b32.to(ScalarType.BFloat16);
    }

    [Benchmark(Baseline = true)]
    [Work(Images = false, GflopPerOperation = Gflop)]
    public long Float32()
    {
        using var c = matmul(a32, b32);
        return c.shape[0];
    }

    [Benchmark]
    [Work(Images = false, GflopPerOperation = Gflop)]
    public long BFloat16()
    {
        using var c = matmul(a16, b16);
        return c.shape[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { a32, b32, a16, b16 })
        {
            t.Dispose();
        }
    }
}
