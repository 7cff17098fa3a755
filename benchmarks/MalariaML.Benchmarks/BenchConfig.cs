using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;

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

    public static IConfig Create()
        => ManualConfig.Create(DefaultConfig.Instance)
            .WithArtifactsPath(ArtifactsPath)
            .AddColumn(RateColumn.ImagesPerSecond, RateColumn.GflopPerSecond, CategoriesColumn.Default)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
}
