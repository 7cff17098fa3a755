using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Runtime;

/// <summary>Where tensors live: <c>auto</c> (CUDA when libtorch reports it, else CPU), <c>cpu</c> or <c>cuda</c>.</summary>
internal static class ComputeDevice
{
    /// <summary>Resolves a device name.</summary>
    /// <param name="name"><c>auto</c>, <c>cpu</c> or <c>cuda</c> (case-insensitive).</param>
    /// <exception cref="MalariaMLException"><c>cuda</c> was asked for but the loaded libtorch has no CUDA support.</exception>
    public static Device Resolve(string name = "auto")
    {
        ArgumentNullException.ThrowIfNull(name);
        TorchRuntime.EnsureInitialized();
        switch (name.ToLowerInvariant())
        {
            case "auto":
                return cuda.is_available() ? CUDA : CPU;
            case "cpu":
                return CPU;
            case "cuda":
                if (!cuda.is_available())
                {
                    throw new MalariaMLException("device 'cuda' requested, but the loaded libtorch has no CUDA support: reference a CUDA runtime package (see README, 'GPU') instead of TorchSharp-cpu");
                }

                return CUDA;
            default:
                throw new MalariaMLException($"unknown device '{name}': use auto, cpu or cuda");
        }
    }
}
