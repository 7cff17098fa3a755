using MalariaML.Runtime;

namespace MalariaML.Training;

/// <summary>Small helpers around libtorch's process-wide random generator.</summary>
/// <remarks>
/// libtorch draws initial weights and dropout masks from one generator per process. To make a run depend only on its
/// seed, every seeded section (building a network, one training epoch) seeds the generator and runs under
/// <see cref="RandomLock"/>, so two trainings in one process take turns instead of interleaving draws.
/// </remarks>
internal static class Torch
{
    /// <summary>Held while a section seeds and draws from libtorch's generator.</summary>
    public static readonly Lock RandomLock = new();

    /// <summary>
    /// A seed for one epoch of one run, the same in every process (unlike <see cref="HashCode"/>, which is randomised
    /// per process), so a run resumed in a new process draws exactly what the original would have.
    /// </summary>
    public static int EpochSeed(int seed, int epoch)
    {
        // SplitMix64 finaliser: neighbouring (seed, epoch) pairs give unrelated seeds.
        var z = unchecked((ulong)(uint)seed << 32 | (uint)epoch) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    /// <summary>Seeds libtorch's generator and runs <paramref name="work"/> while no other seeded section can draw.</summary>
    public static T Seeded<T>(long seed, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        TorchRuntime.EnsureInitialized();
        lock (RandomLock)
        {
            TorchSharp.torch.manual_seed(seed);
            return work();
        }
    }
}
