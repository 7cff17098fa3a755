using BenchmarkDotNet.Attributes;
using MalariaML.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MalariaML.Benchmarks;

/// <summary>
/// One training step at batch 64: forward (train mode), binary cross-entropy on logits, backward, Adam step over the
/// trainable parameters (all of <c>basic-cnn</c>; stages 3-4 and the head of <c>resnet18-finetune</c>). Augmentation
/// and data loading are not included.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("TrainingStep")]
public class TrainingStepBenchmarks
{
    /// <summary>Images per step.</summary>
    public const int BatchSize = 64;

    private nn.Module<Tensor, Tensor> network = null!;
    private OptimizerHelper optimizer = null!;
    private Tensor inputs = null!;
    private Tensor labels = null!;

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    public static IEnumerable<string> Models => Networks.Names;

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        (network, var size) = Networks.Create(Model);
        network.train();
        optimizer = optim.Adam(network.parameters().Where(p => p.requires_grad), lr: 1e-3);
        var cells = BenchData.Cells(BatchSize);
        inputs = Preprocessing.CellImageLoader.ToTensor(BenchData.Decode(cells, size).Images);
        labels = tensor(cells.Select(c => BenchData.IsPositive(c) ? 1f : 0f).ToArray());
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public float Step()
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = nn.functional.binary_cross_entropy_with_logits(network.call(inputs), labels);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        optimizer.Dispose();
        network.Dispose();
        inputs.Dispose();
        labels.Dispose();
    }
}
