using BenchmarkDotNet.Running;
using MalariaML.Benchmarks;

// dotnet run -c Release --project benchmarks/MalariaML.Benchmarks -- --filter '*'   (see benchmarks/README.md)
var started = DateTime.UtcNow;
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchConfig.Create()).ToList();
if (summaries.Count > 0)
{
    ResultsPublisher.Publish(summaries, BenchConfig.ResultsPath, started);
}
