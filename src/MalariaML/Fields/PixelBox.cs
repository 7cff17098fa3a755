namespace MalariaML.Fields;

/// <summary>An axis-aligned box in pixels of a field image; (<paramref name="X"/>, <paramref name="Y"/>) is the top-left corner.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
public readonly record struct PixelBox(int X, int Y, int Width, int Height)
{
    /// <summary>Area in pixels.</summary>
    public long Area => (long)Width * Height;

    /// <summary>Intersection over union with <paramref name="other"/>: 0 when they do not overlap, 1 when equal.</summary>
    public double IoU(PixelBox other)
    {
        var w = Math.Min(X + Width, other.X + other.Width) - Math.Max(X, other.X);
        var h = Math.Min(Y + Height, other.Y + other.Height) - Math.Max(Y, other.Y);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var inter = (double)w * h;
        return inter / (Area + other.Area - inter);
    }
}
