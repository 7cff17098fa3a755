using BenchmarkDotNet.Attributes;
using MalariaML.Runtime;
using static TorchSharp.torch;

namespace MalariaML.Benchmarks;

/// <summary>
/// Forward passes at batch 64 with the input in libtorch's default NCHW layout (baseline) and in channels-last (NHWC)
/// strides, which oneDNN's convolutions prefer on CPUs. TorchSharp 0.107 has no <c>memory_format</c> argument, so the
/// channels-last tensor is made as <c>permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)</c>: the same shape with
/// NHWC strides, which libtorch recognises. The layout change is inside the timing.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("MemoryFormat")]
public class MemoryFormatBenchmarks
{
    private const int Batch = 64;

    private nn.Module<Tensor, Tensor> network = null!;
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
        batch = Preprocessing.CellImageLoader.ToTensor(BenchData.Decode(BenchData.Cells(Batch), size).Images);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    [Work(ForwardPass = true)]
    public float Nchw() => Forward(batch, channelsLast: false);

    [Benchmark(OperationsPerInvoke = Batch)]
    [Work(ForwardPass = true)]
    public float ChannelsLast() => Forward(batch, channelsLast: true);

    [Benchmark(OperationsPerInvoke = Batch)]
    public float TrainStepNchw() => Step(batch, channelsLast: false);

    [Benchmark(OperationsPerInvoke = Batch)]
    public float TrainStepChannelsLast() => Step(batch, channelsLast: true);

    [GlobalCleanup]
    public void Cleanup()
    {
        network.Dispose();
        batch.Dispose();
    }

    private float Step(Tensor input, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        network.train();
        foreach (var p in network.parameters())
        {
            p.grad?.zero_();
        }

        var x = channelsLast ? input.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : input;
        var loss = network.call(x).sum();
        loss.backward();
        network.eval();
        return loss.item<float>();
    }

    private float Forward(Tensor input, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = channelsLast ? input.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : input;
        return network.call(x).sum().item<float>();
    }
}
