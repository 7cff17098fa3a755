namespace MalariaML.Data;

/// <summary>How pixels are sampled when a cell is resized to the network's input size.</summary>
public enum ResizeSampling
{
    /// <summary>Nearest neighbour: what ML.NET's <c>ResizeImages</c> uses in <c>Fill</c> mode.</summary>
    Nearest,

    /// <summary>Bilinear: what the article's <c>cv2.resize</c> uses by default.</summary>
    Bilinear,

    /// <summary>Bicubic (Skia's high quality), slowest.</summary>
    Bicubic,
}
