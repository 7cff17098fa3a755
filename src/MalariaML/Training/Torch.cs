using MalariaML.Runtime;

namespace MalariaML.Training;

/// <summary>Small helpers around libtorch's process-wide settings.</summary>
internal static class Torch
{
    /// <summary>
    /// Seeds libtorch's generator before a network is built, so initial weights depend only on the seed. libtorch's
    /// generator is process-wide; seeding it right before each use keeps results independent of what ran earlier.
    /// </summary>
    public static void Seed(int seed)
    {
        TorchRuntime.EnsureInitialized();
        TorchSharp.torch.manual_seed(seed);
    }
}
