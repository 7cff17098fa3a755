using System.Text.Json;
using System.Text.Json.Serialization;

namespace MalariaML.Plots;

// This file is compiled into both the renderer (MalariaML.Plots, ScottPlot on SkiaSharp 3) and the command line
// (MalariaML.Cli, ML.NET on SkiaSharp 2.88). One process can load only one SkiaSharp, so the two talk through a JSON
// file of these records instead of a project reference.

/// <summary>The charts one report asks for, written as JSON by <c>malaria report</c> and read by the renderer.</summary>
/// <param name="Charts">Charts to draw, each to its own PNG.</param>
public sealed record ChartBatch(IReadOnlyList<ChartSpec> Charts)
{
    /// <summary>JSON settings both sides use (camelCase, enums as strings).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };
}

/// <summary>One chart, drawn to <see cref="File"/> (relative to the output folder) at <see cref="Width"/> x <see cref="Height"/> pixels.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(LineChartSpec), "lines")]
[JsonDerivedType(typeof(ConfusionMatrixSpec), "confusion")]
[JsonDerivedType(typeof(ImageGridSpec), "grid")]
public abstract record ChartSpec(string File, string Title, int Width, int Height);

/// <summary>One or more line plots side by side (learning curves: accuracy and loss; ROC: one panel).</summary>
/// <param name="File">PNG file, relative to the output folder.</param>
/// <param name="Title">Title drawn on top.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Panels">Panels from left to right.</param>
public sealed record LineChartSpec(string File, string Title, int Width, int Height, IReadOnlyList<LinePanel> Panels)
    : ChartSpec(File, Title, Width, Height);

/// <summary>A line plot.</summary>
/// <param name="Title">Panel title.</param>
/// <param name="XLabel">Horizontal axis label.</param>
/// <param name="YLabel">Vertical axis label.</param>
/// <param name="Series">Lines; a legend is drawn when at least one has a name.</param>
/// <param name="X">Fixed horizontal range, or automatic when null.</param>
/// <param name="Y">Fixed vertical range, or automatic when null.</param>
/// <param name="Diagonal">Draw the dashed grey chance line y = x (ROC plots).</param>
/// <param name="IntegerX">Ticks of the horizontal axis at whole numbers only (epochs).</param>
public sealed record LinePanel(string Title, string XLabel, string YLabel, IReadOnlyList<LineSeries> Series,
    AxisRange? X = null, AxisRange? Y = null, bool Diagonal = false, bool IntegerX = false);

/// <summary>One line.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">Horizontal coordinates.</param>
/// <param name="Y">Vertical coordinates, as many as <paramref name="X"/>.</param>
/// <param name="Markers">Draw a marker at each point (few points, e.g. epochs); off for dense curves such as ROC.</param>
/// <param name="Dashed">Dashed line (e.g. validation next to a solid training line).</param>
/// <param name="ColorIndex">Index into the renderer's palette, so one model keeps its colour across panels.</param>
public sealed record LineSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Markers = true, bool Dashed = false, int ColorIndex = 0);

/// <summary>A closed axis range.</summary>
public sealed record AxisRange(double Min, double Max);

/// <summary>A 2x2 confusion matrix with counts and row percentages in each cell.</summary>
/// <param name="File">PNG file, relative to the output folder.</param>
/// <param name="Title">Title drawn on top.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Labels">Class names, negative first: <c>[Uninfected, Parasitized]</c>.</param>
/// <param name="Counts">Rows are the actual class, columns the predicted class, both in <paramref name="Labels"/> order.</param>
public sealed record ConfusionMatrixSpec(string File, string Title, int Width, int Height, IReadOnlyList<string> Labels, IReadOnlyList<IReadOnlyList<long>> Counts)
    : ChartSpec(File, Title, Width, Height);

/// <summary>Cell images in a grid, each with a caption; wrong predictions framed in red.</summary>
/// <param name="File">PNG file, relative to the output folder.</param>
/// <param name="Title">Title drawn on top.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Largest height in pixels: the image is cut to the rows it needs, and tiles shrink if the rows do not fit.</param>
/// <param name="Columns">Tiles per row.</param>
/// <param name="Cells">Tiles in reading order.</param>
public sealed record ImageGridSpec(string File, string Title, int Width, int Height, int Columns, IReadOnlyList<GridCell> Cells)
    : ChartSpec(File, Title, Width, Height);

/// <summary>One tile of an <see cref="ImageGridSpec"/>.</summary>
/// <param name="Path">Image file (PNG/JPEG); an unreadable file gives a grey tile, not a failure.</param>
/// <param name="Caption">Text under the image (e.g. <c>P 0.97</c>).</param>
/// <param name="Wrong">Whether the prediction was wrong (red frame) or right (green frame).</param>
/// <param name="Subcaption">Second line of text (e.g. the true label), or null.</param>
public sealed record GridCell(string Path, string Caption, bool Wrong, string? Subcaption = null);
