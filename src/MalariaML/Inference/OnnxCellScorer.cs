using MalariaML.Data;
using MalariaML.Models;
using MalariaML.Export;
using Microsoft.ML.OnnxRuntime;

namespace MalariaML.Inference;

/// <summary>
/// Scores cells with ONNX Runtime running a model exported by <see cref="OnnxExporter"/>: the same inputs (RGB bytes
/// times 1/255, NCHW) and the same probabilities as <see cref="TorchCellScorer"/> within float rounding. Safe across
/// threads (ONNX Runtime sessions are).
/// </summary>
internal sealed class OnnxCellScorer : ICellScorer
{
    private readonly byte[] _onnx;
    private readonly IReadOnlyDictionary<string, byte[]> _entries;
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly string[] _inputNames = [OnnxExporter.InputName];
    private readonly string[] _outputNames = [OnnxExporter.ProbabilityOutput];

    /// <summary>Opens an ONNX Runtime session on an exported model.</summary>
    /// <param name="onnxModel">The bytes of an ONNX file written by <see cref="OnnxExporter"/>.</param>
    /// <param name="width">Input width the graph was exported for.</param>
    /// <param name="height">Input height the graph was exported for.</param>
    /// <param name="entries">The model-file entries <see cref="Save"/> returns (the TorchSharp weights the graph was made from).</param>
    /// <param name="device"><c>cpu</c>; <c>cuda</c> (ONNX Runtime's CUDA execution provider, which needs the
    /// <c>Microsoft.ML.OnnxRuntime.Gpu</c> package in the app); or <c>auto</c> (CUDA when that provider loads, else CPU).</param>
    /// <param name="batchSize">Images per run. Default 64.</param>
    /// <param name="threads">CPU threads per run; 0 (the default) lets ONNX Runtime choose (one per physical core).</param>
    /// <exception cref="MalariaMLException"><c>cuda</c> was asked for and ONNX Runtime's CUDA provider cannot start.</exception>
    public OnnxCellScorer(byte[] onnxModel, int width, int height, IReadOnlyDictionary<string, byte[]> entries, string device = "cpu", int batchSize = 64, int threads = 0)
    {
        _onnx = onnxModel ?? throw new ArgumentNullException(nameof(onnxModel));
        _entries = entries ?? throw new ArgumentNullException(nameof(entries));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        (Width, Height, BatchSize) = (width, height, batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        (_session, Device) = Open(onnxModel, device, threads);
    }

    /// <summary>The exported model this scorer runs.</summary>
    public ReadOnlyMemory<byte> OnnxModel => _onnx;

    /// <summary>Where the session runs: <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; }

    /// <summary>Input width in pixels.</summary>
    public int Width { get; }

    /// <summary>Input height in pixels.</summary>
    public int Height { get; }

    /// <summary>Images per run.</summary>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public float[] Score(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var result = new float[images.Count];
        var plane = Width * Height;
        for (var start = 0; start < images.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, images.Count - start);
            var input = new float[count * 3 * plane];
            for (var i = 0; i < count; i++)
            {
                ToPlanar(images[start + i], input.AsSpan(i * 3 * plane, 3 * plane));
            }

            using var tensor = OrtValue.CreateTensorValueFromMemory(input, [count, 3, Height, Width]);
            using var outputs = _session.Run(_run, _inputNames, [tensor], _outputNames);
            outputs[0].GetTensorDataAsSpan<float>().CopyTo(result.AsSpan(start, count));
        }

        return result;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, byte[]> Save() => _entries;

    /// <inheritdoc/>
    public void Dispose()
    {
        _session.Dispose();
        _run.Dispose();
    }

    private const float Scale = 1f / 255f;

    // HWC bytes to CHW floats; times 1/255f as CellImageLoader.ToTensor does, so both engines see the same floats.
    private void ToPlanar(RgbImage image, Span<float> chw)
    {
        if (image.Width != Width || image.Height != Height)
        {
            throw new ArgumentException($"image is {image.Width}x{image.Height}, the model takes {Width}x{Height}", nameof(image));
        }

        var plane = Width * Height;
        var pixels = image.Pixels;
        for (var p = 0; p < plane; p++)
        {
            chw[p] = pixels[3 * p] * Scale;
            chw[plane + p] = pixels[(3 * p) + 1] * Scale;
            chw[(2 * plane) + p] = pixels[(3 * p) + 2] * Scale;
        }
    }

    private static (InferenceSession Session, string Device) Open(byte[] model, string device, int threads)
    {
        switch (device.ToLowerInvariant())
        {
            case "cpu":
                return (new InferenceSession(model, CpuOptions(threads)), "cpu");
            case "cuda":
                return (new InferenceSession(model, CudaOptions()), "cuda");
            case "auto":
                try
                {
                    return (new InferenceSession(model, CudaOptions()), "cuda");
                }
                catch (MalariaMLException)
                {
                    return (new InferenceSession(model, CpuOptions(threads)), "cpu");
                }

            default:
                throw new MalariaMLException($"unknown device '{device}': use auto, cpu or cuda");
        }
    }

    private static SessionOptions CpuOptions(int threads) => new() { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads };

    private static SessionOptions CudaOptions()
    {
        try
        {
            return SessionOptions.MakeSessionOptionWithCudaProvider(0);
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new MalariaMLException(
                "device 'cuda' requested, but ONNX Runtime's CUDA execution provider cannot start: reference Microsoft.ML.OnnxRuntime.Gpu (Linux: " +
                $"Microsoft.ML.OnnxRuntime.Gpu.Linux) instead of Microsoft.ML.OnnxRuntime, with CUDA 12 and cuDNN 9 installed ({e.Message})", e);
        }
    }
}
