namespace MalariaML.Inference;

/// <summary>What runs a TorchSharp model's network when it scores cells.</summary>
public enum ScoringEngine
{
    /// <summary>
    /// The faster engine: ONNX Runtime (the network exported in memory), which scored more cells per second than
    /// TorchSharp at batch 64 in every configuration measured on the development CPU (see README, "Speed").
    /// </summary>
    Auto,

    /// <summary>The TorchSharp network itself (libtorch).</summary>
    TorchSharp,

    /// <summary>ONNX Runtime running the network exported by <see cref="Export.OnnxExporter"/> (CPU, or CUDA with ONNX Runtime's GPU package).</summary>
    OnnxRuntime,
}
