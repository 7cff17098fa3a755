using BenchmarkDotNet.Attributes;
using MalariaML.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MalariaML.Benchmarks;

/// <summary>
/// Why the networks run channels-last: basic-cnn's second convolution (32 -> 64 filters, 3x3, same padding, 62x62, one
/// of the two layers holding 84% of its arithmetic) on a batch of 64, with the input in libtorch's default NCHW layout
/// (baseline) and with channels-last (NHWC) strides, forward only and forward + backward. TorchSharp 0.107 has no
/// <c>memory_format</c> argument, so the channels-last input is <c>permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)</c>
/// (what <c>MemoryFormat.ChannelsLast</c> in the library does), made once outside the timing as the batches are.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("MemoryFormat")]
public class MemoryFormatBenchmarks
{
    private const int Batch = 64;

    // 2 x 64 filters x 32 channels x 9 taps x 62 x 62 outputs per image.
    private const double GflopPerImage = 2.0 * 64 * 32 * 9 * 62 * 62 / 1e9;

    private Conv2d conv = null!;
    private Tensor nchw = null!;
    private Tensor channelsLast = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureInitialized();
        manual_seed(42);
        conv = nn.Conv2d(32, 64, 3, padding: 1);
        nchw = rand(Batch, 32, 62, 62);
        channelsLast = nchw.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    [Work(GflopPerOperation = GflopPerImage)]
    public float Forward_Nchw() => Forward(nchw);

    [Benchmark(OperationsPerInvoke = Batch)]
    [Work(GflopPerOperation = GflopPerImage)]
    public float Forward_ChannelsLast() => Forward(channelsLast);

    [Benchmark(OperationsPerInvoke = Batch)]
    public float ForwardBackward_Nchw() => ForwardBackward(nchw);

    [Benchmark(OperationsPerInvoke = Batch)]
    public float ForwardBackward_ChannelsLast() => ForwardBackward(channelsLast);

    [GlobalCleanup]
    public void Cleanup()
    {
        conv.Dispose();
        nchw.Dispose();
        channelsLast.Dispose();
    }

    private float Forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        return conv.call(input).relu_().sum().item<float>();
    }

    private float ForwardBackward(Tensor input)
    {
        using var scope = NewDisposeScope();
        conv.zero_grad();
        var loss = conv.call(input).relu_().sum();
        loss.backward();
        return loss.item<float>();
    }
}
