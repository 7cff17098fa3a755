namespace MalariaML.Training.Augmentation;

/// <summary>
/// Random changes of what differs between slides and microscopes rather than between cells: light, stain, focus and
/// sensor noise. Applied to training batches only, after the geometric <see cref="ImageAugmentation"/>, with numbers
/// drawn from the epoch's seeded generator (so a resumed run draws the same). Only the cell is changed: the black
/// background every crop has stays black.
/// </summary>
/// <remarks>
/// Each factor is drawn uniformly per image from [-x, +x] around "no change". The defaults are deliberately mild
/// (about what separates the NIH slides from each other, judged by eye on the sample): strong enough that a darker
/// stain is not learnt as a parasite signal, weak enough that the purple of a ring stage stays purple.
/// </remarks>
public sealed record ColorAugmentation
{
    /// <summary>Brightness: pixels multiplied by a factor in [1 - b, 1 + b]. Default 0.15.</summary>
    public double Brightness { get; init; } = 0.15;

    /// <summary>Contrast: distance to the cell's mean grey scaled by a factor in [1 - c, 1 + c]. Default 0.15.</summary>
    public double Contrast { get; init; } = 0.15;

    /// <summary>Saturation: distance to each pixel's grey scaled by a factor in [1 - s, 1 + s]. Default 0.15.</summary>
    public double Saturation { get; init; } = 0.15;

    /// <summary>Hue: rotation of the chroma plane (YIQ) by up to h of a full turn either way. Default 0.03 (about 11 degrees).</summary>
    public double Hue { get; init; } = 0.03;

    /// <summary>
    /// Stain jitter in haematoxylin-eosin-DAB optical-density space (Ruifrok and Johnston's matrix, as scikit-image's
    /// <c>rgb2hed</c>): each stain's density multiplied by a factor in [1 - a, 1 + a]. Default 0.05.
    /// </summary>
    public double StainScale { get; init; } = 0.05;

    /// <summary>Stain jitter: each stain's density shifted by up to this much optical density. Default 0.02.</summary>
    public double StainShift { get; init; } = 0.02;

    /// <summary>Share of images blurred (out of focus). Default 0.2.</summary>
    public double BlurProbability { get; init; } = 0.2;

    /// <summary>Largest Gaussian blur sigma in pixels; each blurred image draws from [0.3, this]. Default 1.0.</summary>
    public double MaxBlurSigma { get; init; } = 1.0;

    /// <summary>Largest standard deviation of additive Gaussian pixel noise (pixels in [0, 1]); each image draws from [0, this]. Default 0.02.</summary>
    public double MaxNoise { get; init; } = 0.02;

    /// <summary>The documented defaults.</summary>
    public static ColorAugmentation Default { get; } = new();

    /// <summary>No change at all (every range zero): the identity, for tests and ablations.</summary>
    public static ColorAugmentation None { get; } = new()
    {
        Brightness = 0, Contrast = 0, Saturation = 0, Hue = 0, StainScale = 0, StainShift = 0, BlurProbability = 0, MaxNoise = 0,
    };

    /// <summary>Throws when a range is negative, not finite, or would flip the sign of a factor.</summary>
    public void Validate()
    {
        foreach (var (name, value, max) in new[]
        {
            (nameof(Brightness), Brightness, 1.0), (nameof(Contrast), Contrast, 1.0), (nameof(Saturation), Saturation, 1.0),
            (nameof(Hue), Hue, 0.5), (nameof(StainScale), StainScale, 1.0), (nameof(StainShift), StainShift, 1.0),
            (nameof(BlurProbability), BlurProbability, 1.0), (nameof(MaxBlurSigma), MaxBlurSigma, 10.0), (nameof(MaxNoise), MaxNoise, 1.0),
        })
        {
            if (!double.IsFinite(value) || value < 0 || value > max)
            {
                throw new ArgumentOutOfRangeException(name, value, $"colour augmentation {name} must lie in [0, {max}]");
            }
        }
    }
}
