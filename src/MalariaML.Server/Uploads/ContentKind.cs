namespace MalariaML.Server.Uploads;

/// <summary>What a file is, judged by its first bytes (never by its name).</summary>
public enum ContentKind
{
    /// <summary>Not something the server reads.</summary>
    Unknown,

    /// <summary>PNG, JPEG, GIF, BMP or WebP.</summary>
    Image,

    /// <summary>A zip archive.</summary>
    Zip,
}
