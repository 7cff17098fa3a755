namespace MalariaML.Data;

/// <summary>How cell images are decoded and resized before they reach a model.</summary>
public sealed record ImageLoadOptions
{
    /// <summary>Output width in pixels. Default 125, as the article.</summary>
    public int Width { get; init; } = 125;

    /// <summary>Output height in pixels. Default 125, as the article.</summary>
    public int Height { get; init; } = 125;

    /// <summary>
    /// Resampling used to stretch each cell to <see cref="Width"/> x <see cref="Height"/> (aspect ratio is not kept,
    /// as in the article). Default <see cref="ResizeSampling.Bilinear"/>.
    /// </summary>
    public ResizeSampling Sampling { get; init; } = ResizeSampling.Bilinear;

    /// <summary>
    /// Largest number of pixels an image header may claim; larger images are refused before their pixels are allocated.
    /// Default 16,777,216 (4096 x 4096).
    /// </summary>
    public long MaxImagePixels { get; init; } = ImageLimits.MaxCellPixels;

    /// <summary>Degree of parallelism for decoding. Default: the number of processors.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Colour correction (stain normalisation) applied to every cell after resizing; null for none. Default null. Set from the model file
    /// (<c>MalariaModel.LoadOptions</c>) for models trained with <c>ModelTrainingOptions.StainNormalization</c>.
    /// </summary>
    internal ICellNormalization? Normalization { get; init; }

    /// <summary>Creates options for a square input of <paramref name="size"/> pixels, other settings default.</summary>
    public static ImageLoadOptions Square(int size) => new() { Width = size, Height = size };
}
