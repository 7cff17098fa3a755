using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace MalariaML.Benchmarks;

/// <summary>
/// The configuration every run uses: BenchmarkDotNet's defaults (which export GitHub Markdown, CSV and HTML), the derived
/// rate columns and the categories column, ratios shown as "x faster/slower".
/// </summary>
internal static class BenchConfig
{
    /// <summary>BenchmarkDotNet's working folder (logs, CSV, HTML, Markdown); ignored by git.</summary>
    public static string ArtifactsPath => Path.Combine(BenchData.RepoRoot, "benchmarks", "BenchmarkDotNet.Artifacts");

    /// <summary>Where the Markdown reports are copied after a run, to be committed.</summary>
    public static string ResultsPath => Path.Combine(BenchData.RepoRoot, "benchmarks", "results");

    /// <summary>
    /// The job used unless the command line names one (<c>--job dry</c>, ...): BenchmarkDotNet's short run (3 warm-up
    /// and 3 measured iterations), in-process so no project is generated and built per class, with a one-hour limit
    /// per benchmark instead of the in-process default of five minutes (one 20k-cell growth call alone takes
    /// minutes on 2 cores).
    /// </summary>
    public static Job DefaultJob { get; } = Job.ShortRun.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(1), logOutput: true)).AsDefault();

    public static IConfig Create()
        => ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(DefaultJob)
            .WithArtifactsPath(ArtifactsPath)
            .AddColumn(RateColumn.ImagesPerSecond, RateColumn.GflopPerSecond, RateColumn.P95LatencyMs, CategoriesColumn.Default)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
}
