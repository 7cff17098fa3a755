namespace MalariaML.Benchmarks;

/// <summary>What the processor offers that changes which benchmarks are worth running.</summary>
internal static class CpuFeatures
{
    /// <summary>Set to 1 to run the bfloat16 benchmarks on a CPU without native bfloat16 arithmetic.</summary>
    public const string ForceBFloat16Variable = "MALARIAML_BENCH_BF16";

    /// <summary>
    /// True when the CPU has AVX512-BF16 or AMX-BF16 (Linux: from <c>/proc/cpuinfo</c>); elsewhere assumed true, so the
    /// benchmarks run and the numbers speak for themselves.
    /// </summary>
    public static bool HasNativeBFloat16
    {
        get
        {
            const string cpuinfo = "/proc/cpuinfo";
            if (!OperatingSystem.IsLinux() || !File.Exists(cpuinfo))
            {
                return true;
            }

            var flags = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
            var names = flags.Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries);
            return names.Contains("avx512_bf16") || names.Contains("amx_bf16");
        }
    }
}
