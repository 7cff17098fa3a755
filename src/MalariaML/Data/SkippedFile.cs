namespace MalariaML.Data;

/// <summary>A file that could not be used, and why.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="Reason">Human-readable reason, e.g. "empty file" or "not a decodable image".</param>
public sealed record SkippedFile(string Path, string Reason);
