namespace MalariaML.Data;

/// <summary>
/// A decoded image as 8-bit RGB, interleaved row by row (height x width x 3). Cells stay as bytes until a batch is
/// formed because float pixels take four times the memory.
/// </summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Pixels">RGB bytes, length <c>Width * Height * 3</c>.</param>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>Number of bytes one image of the given size takes.</summary>
    public static int ByteCount(int width, int height) => checked(width * height * 3);
}
