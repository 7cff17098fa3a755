using MalariaML.Evaluation;

namespace MalariaML.Server.Api;

/// <summary>What the page shows about the model.</summary>
/// <param name="Name">Display name (the model file's name).</param>
/// <param name="Kind">Model kind, e.g. <c>basic-cnn</c>.</param>
/// <param name="Threshold">Probability at which a cell is called positive.</param>
/// <param name="PositiveClass">The positive class.</param>
/// <param name="InputSize">Input width and height in pixels.</param>
/// <param name="Metrics">Metrics stored in the model file, by part (e.g. <c>test</c>).</param>
/// <param name="Heatmaps">Whether Grad-CAM heat maps are available.</param>
/// <param name="HeatmapNote">The explained layer, or why there are no heat maps.</param>
/// <param name="Limits">The safety limits in force.</param>
public sealed record ModelInfo(string Name, string Kind, double Threshold, string PositiveClass, int InputSize,
    IReadOnlyDictionary<string, BinaryMetrics> Metrics, bool Heatmaps, string? HeatmapNote, LimitsInfo Limits);

/// <summary>The limits a client must respect.</summary>
public sealed record LimitsInfo(long MaxRequestBytes, int MaxFilesPerRequest, int MaxCellsPerRequest, long MaxImagePixels, int MaxZipEntries, long MaxZipUncompressedBytes, long MaxFileBytes, double ResultLifetimeMinutes);

/// <summary>The answer of <c>GET /api/health</c>.</summary>
public sealed record HealthInfo(string Status, string Model, int Queue, int RunningJobs, int Jobs);
