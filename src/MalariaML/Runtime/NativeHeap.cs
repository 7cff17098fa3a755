using System.Runtime.InteropServices;

namespace MalariaML.Runtime;

/// <summary>Hands memory that the C allocator keeps after <c>free</c> back to the operating system.</summary>
/// <remarks>
/// libtorch allocates activations and gradients with <c>malloc</c>, many of them between a few and 32 MB. glibc raises
/// its mmap threshold to the size of the largest such block freed, after which blocks of that size come from its heaps,
/// and freed heap memory stays in the process for reuse. Spread over several arenas (the batch-preparation thread has
/// its own) and fragmented by blocks of other sizes, that retained memory grew by hundreds of MB per training epoch
/// (see benchmarks/results/rss-per-epoch.md). <c>malloc_trim(0)</c> releases the free pages of every arena; it
/// costs a few milliseconds, so the trainer calls it once per epoch. Elsewhere than on glibc it does nothing.
/// </remarks>
internal static partial class NativeHeap
{
    /// <summary>Returns free C-heap pages to the OS on glibc; true when memory was released.</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return MallocTrim(0) != 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl and other C libraries have no malloc_trim: nothing to do there.
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
