using BenchmarkDotNet.Attributes;
using MalariaML.Data;
using MalariaML.Runtime;
using MalariaML.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MalariaML.Benchmarks;

/// <summary>
/// One training step at batch 64: forward (train mode), binary cross-entropy on logits, backward, and a step of the
/// model's own optimizer from <see cref="MalariaML.Models.ModelCatalog"/> (Adam for <c>basic-cnn</c>, RMSprop for
/// <c>resnet18-finetune</c>) over its trainable parameters. <see cref="PrepareBatch"/> is what the loop does before each
/// step: decoded bytes to one float tensor, then the model's augmentation (if any); its share of a step bounds what
/// overlapping the two could gain.
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
    private IReadOnlyList<RgbImage> images = [];
    private Training.ImageAugmentation? augmentation;
    private Random random = null!;

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    public static IEnumerable<string> Models => Networks.Names;

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        (network, var size) = Networks.Create(Model);
        network.train();
        var defaults = TrainingDefaults.For(Model);
        optimizer = Training.OptimizerFactory.Create(defaults.Loop.Optimizer, network.parameters().Where(p => p.requires_grad), defaults.Loop.LearningRate);
        augmentation = defaults.Augmentation;
        random = new Random(42);
        var cells = BenchData.Cells(BatchSize);
        images = BenchData.Decode(cells, size).Images;
        inputs = Preprocessing.CellImageLoader.ToTensor(images);
        labels = tensor(cells.Select(c => BenchData.IsPositive(c) ? 1f : 0f).ToArray());
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize)]
    public float Step()
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = nn.functional.binary_cross_entropy_with_logits(network.call(inputs), labels);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public long PrepareBatch()
    {
        using var scope = NewDisposeScope();
        var batch = Preprocessing.CellImageLoader.ToTensor(images);
        var x = augmentation is null ? batch : Training.Augmenter.Apply(batch, augmentation, random);
        return x.shape[0];
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
