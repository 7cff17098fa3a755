using BenchmarkDotNet.Attributes;
using MalariaML.Data;
using MalariaML.Export;
using MalariaML.Inference;
using MalariaML.Runtime;

namespace MalariaML.Benchmarks;

/// <summary>
/// The two scoring engines on the same network and the same decoded cells: <see cref="TorchCellScorer"/> (libtorch)
/// against <see cref="OnnxCellScorer"/> (ONNX Runtime running the network exported by <see cref="OnnxExporter"/>), at
/// batch 1 and batch 64. Each call goes from decoded RGB bytes to probabilities, as <c>malaria predict</c> does after
/// decoding. Ratio = time per image relative to TorchSharp at batch 1. <c>Threads</c> 0 is each engine's default (every
/// core); 1 runs both on one thread, which compares the engines' kernels and is less disturbed by other load on the machine.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Engine")]
public class EngineBenchmarks
{
    /// <summary>Images in the large batch.</summary>
    public const int LargeBatch = 64;

    private TorchCellScorer torchScorer = null!;
    private OnnxCellScorer onnxScorer = null!;
    private IReadOnlyList<RgbImage> batch = null!;
    private IReadOnlyList<RgbImage> single = null!;

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    public static IEnumerable<string> Models => Networks.Names;

    [Params(0, 1)]
    public int Threads { get; set; }

    private int defaultTorchThreads;

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        defaultTorchThreads = TorchSharp.torch.get_num_threads();
        if (Threads > 0)
        {
            TorchSharp.torch.set_num_threads(Threads);
        }

        var (network, size) = Networks.Create(Model);
        torchScorer = new TorchCellScorer(network, batchSize: LargeBatch);
        var metadata = new ModelMetadata
        {
            ModelKind = Model,
            InputWidth = size,
            InputHeight = size,
            ClassNames = ["Uninfected", "Parasitized"],
            PositiveClass = "Parasitized",
        };
        var onnx = ModelOnnxExport.ToBytes(new MalariaModel(torchScorer, metadata));
        onnxScorer = new OnnxCellScorer(onnx, size, size, new Dictionary<string, byte[]>(), batchSize: LargeBatch, threads: Threads);
        batch = BenchData.Decode(BenchData.Cells(LargeBatch), size).Images;
        single = [batch[0]];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 1)]
    [Work(ForwardPass = true)]
    public float TorchSharpBatch1() => torchScorer.Score(single)[0];

    [Benchmark(OperationsPerInvoke = LargeBatch)]
    [Work(ForwardPass = true)]
    public float TorchSharpBatch64() => torchScorer.Score(batch)[0];

    [Benchmark(OperationsPerInvoke = 1)]
    [Work(ForwardPass = true)]
    public float OnnxRuntimeBatch1() => onnxScorer.Score(single)[0];

    [Benchmark(OperationsPerInvoke = LargeBatch)]
    [Work(ForwardPass = true)]
    public float OnnxRuntimeBatch64() => onnxScorer.Score(batch)[0];

    [GlobalCleanup]
    public void Cleanup()
    {
        torchScorer.Dispose();
        onnxScorer.Dispose();
        TorchSharp.torch.set_num_threads(defaultTorchThreads);
    }
}
