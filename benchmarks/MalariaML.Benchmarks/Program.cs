using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;
using MalariaML.Benchmarks;

// dotnet run -c Release --project benchmarks/MalariaML.Benchmarks -- --filter '*'   (see benchmarks/README.md)
var started = DateTime.UtcNow;
IConfig config = BenchConfig.Create();
if (!CpuFeatures.HasNativeBFloat16 && Environment.GetEnvironmentVariable(CpuFeatures.ForceBFloat16Variable) != "1")
{
    // Without AVX512-BF16 or AMX libtorch multiplies bfloat16 with a scalar fallback: about a minute per product on a
    // small CPU, for a number that says nothing about the library.
    Console.WriteLine($"// bfloat16 benchmarks skipped: the CPU has no native bfloat16 arithmetic (set {CpuFeatures.ForceBFloat16Variable}=1 to run them)");
    config = config.AddFilter(new NameFilter(name => !name.Contains("BFloat16", StringComparison.Ordinal)));
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();
if (summaries.Count > 0)
{
    ResultsPublisher.Publish(summaries, BenchConfig.ResultsPath, started);
}
