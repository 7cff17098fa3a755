namespace MalariaML.Models;

/// <summary>A <c>.malaria</c> file that cannot be loaded: truncated, not a zip, tampered, missing parts, or too new.</summary>
public sealed class ModelFileException(string path, string reason, Exception? inner = null)
    : MalariaMLException($"{path}: {reason}", inner)
{
    /// <summary>The model file.</summary>
    public string Path { get; } = path;

    /// <summary>Why it was refused.</summary>
    public string Reason { get; } = reason;
}
