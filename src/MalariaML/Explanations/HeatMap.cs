namespace MalariaML.Explanations;

/// <summary>
/// A Grad-CAM heat map at the size of the cell it explains, row by row, each value in [0, 1] (divided by the map's
/// maximum; all zeros when the target layer shows no evidence for the explained class).
/// </summary>
/// <param name="Width">Width in pixels (the cell's).</param>
/// <param name="Height">Height in pixels (the cell's).</param>
/// <param name="Values">Heat per pixel, <c>Width * Height</c> values.</param>
/// <param name="ActivationWidth">Width of the target activation the map was upsampled from.</param>
/// <param name="ActivationHeight">Height of the target activation the map was upsampled from.</param>
public sealed record HeatMap(int Width, int Height, float[] Values, int ActivationWidth, int ActivationHeight)
{
    /// <summary>Heat at a pixel.</summary>
    public float this[int x, int y] => Values[(y * Width) + x];
}
