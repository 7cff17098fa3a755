using SkiaSharp;

namespace MalariaML.Plots;

/// <summary>Writes PNG files so that a reader never sees a half-written chart.</summary>
internal static class AtomicPng
{
    /// <summary>Encodes <paramref name="image"/> as PNG into a temporary file next to <paramref name="path"/>, then moves it over <paramref name="path"/>.</summary>
    public static void Write(SKImage image, string path)
    {
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("PNG encoding failed");

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        // Same folder as the target, so the final move is a rename on one file system and cannot be seen half-done.
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                data.SaveTo(stream);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
