using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace MalariaML.Benchmarks;

/// <summary>
/// After a run: copies BenchmarkDotNet's GitHub Markdown reports into <c>benchmarks/results/</c> and writes
/// <c>derived.md</c> with figures that span benchmark classes (share of the matmul rate, growth slope).
/// </summary>
internal static class ResultsPublisher
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Publish(IReadOnlyList<Summary> summaries, string resultsPath, DateTime startedUtc)
    {
        Directory.CreateDirectory(resultsPath);
        var copied = new List<string>();
        foreach (var folder in summaries.Select(s => s.ResultsDirectoryPath).Where(Directory.Exists).Distinct())
        {
            foreach (var report in Directory.EnumerateFiles(folder, "*-report-github.md")
                         .Where(f => File.GetLastWriteTimeUtc(f) >= startedUtc.AddSeconds(-1)))
            {
                var target = Path.Combine(resultsPath, Path.GetFileName(report));
                File.Copy(report, target, overwrite: true);
                copied.Add(target);
            }
        }

        var derived = Path.Combine(resultsPath, "derived.md");
        var text = Derived(summaries);
        File.WriteAllText(derived, text);
        Console.WriteLine();
        Console.WriteLine(text);
        foreach (var path in copied.Append(derived))
        {
            Console.WriteLine($"// written: {Path.GetRelativePath(BenchData.RepoRoot, path)}");
        }
    }

    private static string Derived(IReadOnlyList<Summary> summaries)
    {
        var rows = summaries
            .SelectMany(s => s.BenchmarksCases.Select(c => (Summary: s, Case: c)))
            .Where(r => Work.SecondsPerOperation(r.Summary, r.Case) is not null)
            .ToList();
        var matmul = rows.FirstOrDefault(r => r.Case.Descriptor.Type == typeof(MatmulBenchmarks)
                                              && r.Case.Descriptor.WorkloadMethod.Name == nameof(MatmulBenchmarks.Float32));
        var matmulRate = matmul.Summary is null ? null : Work.GflopPerSecond(matmul.Summary, matmul.Case);
        var jobs = string.Join(", ", rows.Select(r => r.Case.Job.ResolvedId).Distinct());

        var md = new StringBuilder();
        md.AppendLine("# MalariaML benchmarks: derived figures");
        md.AppendLine();
        md.Append(Invariant, $"Run finished {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, job(s): {jobs}, data: `{Path.GetRelativePath(BenchData.RepoRoot, BenchData.Folder)}`, ")
            .Append(Invariant, $"{Environment.ProcessorCount} logical cores. Each row is BenchmarkDotNet's Mean from this run; ")
            .AppendLine("see the `*-report-github.md` files for errors, allocations and ratios.");
        md.AppendLine();
        md.AppendLine("| Benchmark | Method | Params | Mean per op | Images/s | GFLOP/s | Share of fp32 matmul |");
        md.AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var (summary, benchmark) in rows)
        {
            var seconds = Work.SecondsPerOperation(summary, benchmark)!.Value;
            var images = Work.ImagesPerSecond(summary, benchmark);
            var gflops = Work.GflopPerSecond(summary, benchmark);
            var share = gflops is { } g && matmulRate is { } m ? (g / m).ToString("P1", Invariant) : "-";
            var parameters = string.Join(", ", benchmark.Parameters.Items.Select(p => $"{p.Name}={p.Value}"));
            md.Append(Invariant, $"| {benchmark.Descriptor.Type.Name} | {benchmark.Descriptor.WorkloadMethod.Name} | {parameters} | {Duration(seconds)} | ")
                .AppendLine(Invariant, $"{Rate(images)} | {Rate(gflops)} | {share} |");
        }

        var growth = rows.Where(r => r.Case.Descriptor.Type == typeof(PredictionGrowthBenchmarks))
            .Select(r => (Cells: Convert.ToDouble(Work.Parameter(r.Case, Work.CellsParameter), Invariant),
                Seconds: Work.SecondsPerOperation(r.Summary, r.Case)!.Value))
            .OrderBy(p => p.Cells)
            .ToList();
        if (growth.Select(p => p.Cells).Distinct().Count() >= 2)
        {
            // Least-squares line through (cells, seconds): the slope is the marginal cost of one more cell.
            double n = growth.Count, sx = growth.Sum(p => p.Cells), sy = growth.Sum(p => p.Seconds);
            double sxx = growth.Sum(p => p.Cells * p.Cells), sxy = growth.Sum(p => p.Cells * p.Seconds);
            var slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
            var intercept = (sy - slope * sx) / n;
            md.AppendLine();
            md.AppendLine("## Prediction cost growth (basic-cnn)");
            md.AppendLine();
            md.Append(Invariant, $"Least-squares slope over {string.Join(", ", growth.Select(p => p.Cells.ToString("N0", Invariant)))} cells: ")
                .AppendLine(Invariant, $"**{slope * 1e6:N1} ms per 1,000 cells** ({1 / slope:N0} cells/s at the margin), intercept {intercept * 1e3:N1} ms.");
        }

        if (matmulRate is { } rate)
        {
            md.AppendLine();
            md.AppendLine(Invariant, $"fp32 matmul 2048x2048 reached {rate:N1} GFLOP/s; a network's share is its effective GFLOP/s over that.");
        }

        return md.ToString();
    }

    private static string Rate(double? value) => value is { } v ? RateColumn.Format(v, Invariant) : "-";

    private static string Duration(double seconds) => seconds switch
    {
        >= 1 => seconds.ToString("N3", Invariant) + " s",
        >= 1e-3 => (seconds * 1e3).ToString("N3", Invariant) + " ms",
        _ => (seconds * 1e6).ToString("N1", Invariant) + " us",
    };
}
