using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MalariaML.Benchmarks;

/// <summary>A summary column computed from the mean time per operation (see <see cref="Work"/>).</summary>
public sealed class RateColumn : IColumn
{
    private readonly Func<Summary, BenchmarkCase, double?> rate;

    private RateColumn(string name, string legend, Func<Summary, BenchmarkCase, double?> rate, int priority)
    {
        ColumnName = name;
        Legend = legend;
        this.rate = rate;
        PriorityInCategory = priority;
    }

    /// <summary>Images per second: images per operation / mean time per operation.</summary>
    public static RateColumn ImagesPerSecond { get; } = new("Images/s",
        "Images per second: images per operation (1, as OperationsPerInvoke = images; Cells for the growth benchmark) / Mean",
        Work.ImagesPerSecond, 0);

    /// <summary>Effective arithmetic rate where the work per operation is known.</summary>
    public static RateColumn GflopPerSecond { get; } = new("GFLOP/s",
        "Effective arithmetic rate: GFLOP per operation (matmul 2n^3; basic-cnn forward 0.34 per image) / Mean",
        Work.GflopPerSecond, 1);

    /// <summary>95th percentile of request latency, where a benchmark records it (the in-process batching benchmark).</summary>
    public static RateColumn P95LatencyMs { get; } = new("p95 ms",
        "95th percentile of the latency of one request, from call to answer, in milliseconds (BatchingBenchmarks)",
        (_, c) => Latency.P95(c.Descriptor.WorkloadMethod.Name, c.Parameters.Items.FirstOrDefault(p => p.Name == Work.ModelParameter)?.Value as string ?? ""), 2);

    /// <inheritdoc/>
    public string Id => nameof(RateColumn) + "." + ColumnName;

    /// <inheritdoc/>
    public string ColumnName { get; }

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory { get; }

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend { get; }

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        => rate(summary, benchmarkCase) is { } value ? Format(value, style.CultureInfo ?? CultureInfo.InvariantCulture) : "-";

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => rate(summary, c) is not null);

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <summary>Three significant digits at least, no exponent.</summary>
    public static string Format(double value, IFormatProvider culture)
        => value.ToString(value >= 100 ? "N0" : value >= 10 ? "N1" : value >= 1 ? "N2" : "N3", culture);
}
