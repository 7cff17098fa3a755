using BenchmarkDotNet.Attributes;
using MalariaML.Runtime;
using static TorchSharp.torch;

namespace MalariaML.Benchmarks;

/// <summary>
/// Forward passes (eval mode, <c>inference_mode</c>) of the <c>basic-cnn</c> and <c>resnet18-finetune</c> networks on
/// batches already in tensor form, at batch 1 and batch 64. Ratio = time per image relative to batch 1.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Inference")]
public class InferenceBenchmarks
{
    /// <summary>Images in the large batch.</summary>
    public const int LargeBatch = 64;

    private nn.Module<Tensor, Tensor> network = null!;
    private Tensor single = null!;
    private Tensor batch = null!;

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    public static IEnumerable<string> Models => Networks.Names;

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        (network, var size) = Networks.Create(Model);
        network.eval();
        var images = BenchData.Decode(BenchData.Cells(LargeBatch), size).Images;
        batch = Preprocessing.CellImageLoader.ToTensor(images);
        single = Preprocessing.CellImageLoader.ToTensor(images, [0]);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 1)]
    [Work(ForwardPass = true)]
    public float Batch1() => Forward(single);

    [Benchmark(OperationsPerInvoke = LargeBatch)]
    [Work(ForwardPass = true)]
    public float Batch64() => Forward(batch);

    [GlobalCleanup]
    public void Cleanup()
    {
        network.Dispose();
        single.Dispose();
        batch.Dispose();
    }

    private float Forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        return network.call(input).sum().item<float>();
    }
}
