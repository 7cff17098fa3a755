using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using MalariaML.Plots;

namespace MalariaML.Cli.Report;

/// <summary>
/// Draws charts by running the renderer (<c>plots/MalariaML.Plots.dll</c>, shipped beside the CLI) as a child process.
/// </summary>
/// <remarks>
/// The renderer uses ScottPlot, which needs SkiaSharp 3; ML.NET's image transforms need SkiaSharp 2.88, and a process
/// can load only one of them. Running the renderer on the same <c>dotnet</c> host keeps it on the same runtime.
/// </remarks>
internal static class PlotRenderer
{
    /// <summary>Where the renderer is looked for; the environment variable <c>MALARIAML_PLOTS</c> overrides it.</summary>
    public static string Location =>
        Environment.GetEnvironmentVariable("MALARIAML_PLOTS") is { Length: > 0 } overridden
            ? overridden
            : Path.Combine(AppContext.BaseDirectory, "plots", "MalariaML.Plots.dll");

    /// <summary>Writes <paramref name="batch"/> to <paramref name="specPath"/> and renders it into <paramref name="outDir"/>.</summary>
    /// <returns>The files the renderer wrote.</returns>
    /// <exception cref="MalariaMLException">The renderer is missing, or failed (its error lines are in the message).</exception>
    public static IReadOnlyList<string> Render(ChartBatch batch, string specPath, string outDir, CancellationToken cancellationToken = default)
    {
        AtomicFile.WriteAllBytes(specPath, JsonSerializer.SerializeToUtf8Bytes(batch, ChartBatch.JsonOptions));
        var renderer = Location;
        if (!File.Exists(renderer))
        {
            throw new MalariaMLException($"{renderer}: chart renderer not found (it is built with the CLI; set MALARIAML_PLOTS to its path)");
        }

        var start = new ProcessStartInfo(DotnetHost(), [renderer, specPath, outDir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new MalariaMLException($"{renderer}: could not start the chart renderer");
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        var written = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            written.Add(line);
        }

        process.WaitForExitAsync(cancellationToken).GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            lock (errors)
            {
                throw new MalariaMLException($"the chart renderer failed (exit {process.ExitCode}): {errors.ToString().Trim()}");
            }
        }

        return written;
    }

    // The host that runs this process when started as 'dotnet malaria.dll'; for the 'malaria' apphost (dotnet tool),
    // the dotnet root three levels above the shared runtime folder (shared/Microsoft.NETCore.App/<version>/).
    private static string DotnetHost()
    {
        var exe = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } current && Path.GetFileName(current).Equals(exe, StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, exe);
        return File.Exists(candidate) ? candidate : exe;
    }
}
