namespace MalariaML.Training;

/// <summary>
/// Random geometric changes applied to training images only, drawn from a seeded generator. Defaults are the
/// article's Keras <c>ImageDataGenerator</c> settings. Areas moved in from outside the image are filled with black,
/// the background every cell crop already has.
/// </summary>
public sealed record ImageAugmentation
{
    /// <summary>Largest rotation either way, in degrees. Default 25.</summary>
    public double RotationDegrees { get; init; } = 25;

    /// <summary>Largest shear angle either way, in degrees (Keras' <c>shear_range</c> unit). Default 0.05.</summary>
    public double ShearDegrees { get; init; } = 0.05;

    /// <summary>Zoom drawn from [1 - z, 1 + z] per axis. Default 0.05.</summary>
    public double Zoom { get; init; } = 0.05;

    /// <summary>Largest horizontal shift as a share of the width. Default 0.05.</summary>
    public double WidthShift { get; init; } = 0.05;

    /// <summary>Largest vertical shift as a share of the height. Default 0.05.</summary>
    public double HeightShift { get; init; } = 0.05;

    /// <summary>Whether images are mirrored left-right half of the time. Default true.</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary>The article's settings.</summary>
    public static ImageAugmentation Article { get; } = new();
}
