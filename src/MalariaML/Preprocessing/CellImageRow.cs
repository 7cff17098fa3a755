namespace MalariaML.Preprocessing;

/// <summary>One input row of the ML.NET pipeline: an image path, its class name and patient key.</summary>
internal sealed class CellImageRow
{
    /// <summary>Full path of the image file.</summary>
    public string ImagePath { get; set; } = "";

    /// <summary>Class name (e.g. <c>Parasitized</c>).</summary>
    public string Label { get; set; } = "";

    /// <summary>Patient key parsed from the file name.</summary>
    public string Patient { get; set; } = "";
}
