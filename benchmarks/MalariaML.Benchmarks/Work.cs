using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MalariaML.Benchmarks;

/// <summary>
/// What one benchmark operation does, for the derived columns. Without it an operation is one image
/// (<c>OperationsPerInvoke</c> = images per invoke), or <c>Cells</c> images when the case has a <c>Cells</c> parameter.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class WorkAttribute : Attribute
{
    /// <summary>False when an operation is not an image (the reference matmul): no images/s then.</summary>
    public bool Images { get; init; } = true;

    /// <summary>Fixed arithmetic of one operation in GFLOP; 0 when not fixed.</summary>
    public double GflopPerOperation { get; init; }

    /// <summary>
    /// True when an operation is forward passes of the network named by the <c>Model</c> parameter, so its arithmetic
    /// is <see cref="Work.ForwardGflopPerImage"/> times the images per operation (where that cost is known).
    /// </summary>
    public bool ForwardPass { get; init; }
}

/// <summary>Images and arithmetic per operation, and the rates derived from BenchmarkDotNet's mean time per operation.</summary>
public static class Work
{
    /// <summary>Parameter holding the number of cells one operation scores (the growth benchmark).</summary>
    public const string CellsParameter = "Cells";

    /// <summary>Parameter holding the model name.</summary>
    public const string ModelParameter = "Model";

    /// <summary>
    /// Forward cost per 125x125 image in GFLOP (2 x multiply-adds). basic-cnn: conv 13.5M + 70.9M + 70.9M MACs and dense
    /// 15.0M MACs = 170M MACs = 0.34 GFLOP.
    /// </summary>
    public static IReadOnlyDictionary<string, double> ForwardGflopPerImage { get; } = new Dictionary<string, double>
    {
        ["basic-cnn"] = 0.34,
    };

    /// <summary>Images one operation processes, or null when an operation is not images.</summary>
    public static double? ImagesPerOperation(BenchmarkCase benchmark)
    {
        var work = Attribute(benchmark);
        if (work is { Images: false })
        {
            return null;
        }

        return Parameter(benchmark, CellsParameter) is { } cells ? Convert.ToDouble(cells, CultureInfo.InvariantCulture) : 1;
    }

    /// <summary>GFLOP of one operation, or null when unknown.</summary>
    public static double? GflopPerOperation(BenchmarkCase benchmark)
    {
        var work = Attribute(benchmark);
        if (work is null)
        {
            return null;
        }

        if (work.GflopPerOperation > 0)
        {
            return work.GflopPerOperation;
        }

        if (work.ForwardPass && Parameter(benchmark, ModelParameter) is string model
            && ForwardGflopPerImage.TryGetValue(model, out var perImage) && ImagesPerOperation(benchmark) is { } images)
        {
            return perImage * images;
        }

        return null;
    }

    /// <summary>Mean seconds per operation, or null when the case did not produce results.</summary>
    public static double? SecondsPerOperation(Summary summary, BenchmarkCase benchmark)
        => summary[benchmark]?.ResultStatistics?.Mean is { } ns && ns > 0 ? ns * 1e-9 : null;

    /// <summary>Images per second.</summary>
    public static double? ImagesPerSecond(Summary summary, BenchmarkCase benchmark)
        => SecondsPerOperation(summary, benchmark) is { } s && ImagesPerOperation(benchmark) is { } images ? images / s : null;

    /// <summary>Effective GFLOP/s.</summary>
    public static double? GflopPerSecond(Summary summary, BenchmarkCase benchmark)
        => SecondsPerOperation(summary, benchmark) is { } s && GflopPerOperation(benchmark) is { } gflop ? gflop / s : null;

    /// <summary>The value of a parameter, or null when the case has none of that name.</summary>
    public static object? Parameter(BenchmarkCase benchmark, string name)
        => benchmark.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value;

    private static WorkAttribute? Attribute(BenchmarkCase benchmark)
        => benchmark.Descriptor.WorkloadMethod.GetCustomAttribute<WorkAttribute>();
}
