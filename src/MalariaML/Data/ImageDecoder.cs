using System.Runtime.InteropServices;
using SkiaSharp;

namespace MalariaML.Data;

/// <summary>
/// Decodes cell images with SkiaSharp (the engine ML.NET's image transforms use), converting any format or channel
/// layout Skia reads (grayscale, RGBA, 16-bit, JPEG, BMP, GIF, WebP) to 8-bit RGB and refusing broken files with an
/// <see cref="InvalidImageException"/> that names the file and the reason.
/// </summary>
internal static class ImageDecoder
{
    /// <summary>Decodes a file at its own size. Used where the true size matters (dataset summary).</summary>
    /// <param name="path">Image file.</param>
    /// <param name="maxPixels">Header size limit; see <see cref="ImageLoadOptions.MaxImagePixels"/>.</param>
    /// <exception cref="InvalidImageException">The file is missing, empty, truncated, corrupt, too large or not an image.</exception>
    public static RgbImage DecodeFile(string path, long maxPixels = ImageLimits.MaxCellPixels)
        => Decode(ReadAll(path), path, null, maxPixels);

    /// <summary>Decodes a file and stretches it to the size in <paramref name="options"/>.</summary>
    /// <exception cref="InvalidImageException">The file cannot be used.</exception>
    public static RgbImage DecodeFile(string path, ImageLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Decode(ReadAll(path), path, options, options.MaxImagePixels);
    }

    /// <summary>Decodes encoded image bytes and stretches them to the size in <paramref name="options"/>.</summary>
    /// <param name="data">Encoded image (PNG, JPEG, ...).</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <param name="options">Output size and limits.</param>
    /// <exception cref="InvalidImageException">The data cannot be used.</exception>
    public static RgbImage Decode(byte[] data, string sourceName, ImageLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Decode(data, sourceName, options, options.MaxImagePixels);
    }

    /// <summary>Decodes encoded image bytes at their own size (e.g. to draw on the cell as the user sent it).</summary>
    /// <param name="data">Encoded image (PNG, JPEG, ...).</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <param name="maxPixels">Header size limit; see <see cref="ImageLoadOptions.MaxImagePixels"/>.</param>
    /// <exception cref="InvalidImageException">The data cannot be used.</exception>
    public static RgbImage Decode(byte[] data, string sourceName, long maxPixels = ImageLimits.MaxCellPixels)
        => Decode(data, sourceName, null, maxPixels);

    private static byte[] ReadAll(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidImageException(path, $"cannot be read ({e.Message})", e);
        }
    }

    private static RgbImage Decode(byte[] data, string source, ImageLoadOptions? resize, long maxPixels)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0)
        {
            throw new InvalidImageException(source, "empty file (0 bytes)");
        }

        // A native memory stream: a managed Stream would make the codec call back into .NET for every read, which
        // costs more than the decoding of a small cell. The codec owns the stream once it exists.
        var stream = new SKMemoryStream(data);
        var codec = SKCodec.Create(stream, out var codecResult);
        if (codec is null)
        {
            stream.Dispose();
            throw new InvalidImageException(source, $"not a decodable image ({Describe(codecResult)})");
        }

        using var owned = codec;

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new InvalidImageException(source, $"image header claims an empty size {info.Width}x{info.Height}");
        }

        if ((long)info.Width * info.Height > maxPixels)
        {
            throw new InvalidImageException(source,
                $"image header claims {info.Width}x{info.Height} pixels, over the limit of {maxPixels:N0} pixels");
        }

        // Premultiplied alpha composites transparent pixels onto black, the background cells already have.
        var alpha = info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul;
        // The platform's native 32-bit layout (BGRA on x64) is what SKBitmap.Decode, and so ML.NET, produces; Skia's
        // resamplers take different code paths per layout, so matching it keeps both preprocessing paths identical.
        var decodeInfo = new SKImageInfo(info.Width, info.Height, SKImageInfo.PlatformColorType, alpha);
        using var bitmap = new SKBitmap();
        if (!bitmap.TryAllocPixels(decodeInfo))
        {
            throw new InvalidImageException(source, $"cannot allocate {info.Width}x{info.Height} pixels");
        }

        var result = codec.GetPixels(decodeInfo, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            throw new InvalidImageException(source, result == SKCodecResult.IncompleteInput
                ? "truncated image data"
                : $"corrupt image data ({Describe(result)})");
        }

        if (resize is null || (resize.Width == info.Width && resize.Height == info.Height))
        {
            return Normalize(ToRgb(bitmap), resize);
        }

        using var resized = bitmap.Resize(new SKImageInfo(resize.Width, resize.Height, SKImageInfo.PlatformColorType, alpha), Quality(resize.Sampling))
            ?? throw new InvalidImageException(source, $"could not be resized to {resize.Width}x{resize.Height}");
        return Normalize(ToRgb(resized), resize);
    }

    // After resizing: the statistics of the model's input are what the reference was measured on, and it is 3 to 4
    // times fewer pixels than the file's.
    private static RgbImage Normalize(RgbImage image, ImageLoadOptions? options)
        => options?.Normalization is { } normalization ? normalization.Apply(image) : image;

    private static SKFilterQuality Quality(ResizeSampling sampling) => sampling switch
    {
        ResizeSampling.Nearest => SKFilterQuality.None,
        ResizeSampling.Bilinear => SKFilterQuality.Low,
        ResizeSampling.Bicubic => SKFilterQuality.High,
        _ => throw new ArgumentOutOfRangeException(nameof(sampling), sampling, null),
    };

    private static RgbImage ToRgb(SKBitmap bitmap)
    {
        int w = bitmap.Width, h = bitmap.Height;
        var rgba = bitmap.GetPixelSpan();
        var rowBytes = bitmap.RowBytes;
        var rgb = new byte[RgbImage.ByteCount(w, h)];
        // Byte offsets of R and B inside a little-endian 32-bit pixel.
        var (r, b) = bitmap.ColorType switch
        {
            SKColorType.Rgba8888 => (0, 16),
            SKColorType.Bgra8888 => (16, 0),
            _ => throw new InvalidOperationException($"unexpected color type {bitmap.ColorType}"),
        };
        for (var y = 0; y < h; y++)
        {
            var src = MemoryMarshal.Cast<byte, uint>(rgba.Slice(y * rowBytes, w * 4));
            var dst = rgb.AsSpan(y * w * 3, w * 3);
            for (var x = 0; x < w; x++)
            {
                var p = src[x];
                dst[3 * x] = (byte)(p >> r);
                dst[3 * x + 1] = (byte)(p >> 8);
                dst[3 * x + 2] = (byte)(p >> b);
            }
        }

        return new RgbImage(w, h, rgb);
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.Unimplemented => "unsupported format",
        SKCodecResult.InvalidInput => "invalid or unrecognised data",
        SKCodecResult.ErrorInInput => "damaged data, e.g. a bad checksum or chunk",
        SKCodecResult.IncompleteInput => "truncated data",
        SKCodecResult.InvalidConversion => "unsupported pixel layout",
        _ => result.ToString(),
    };
}
