namespace MalariaML.Server.Uploads;

/// <summary>Recognises uploads by their signature bytes, so a renamed file is read as what it is.</summary>
public static class ContentSniffer
{
    private static ReadOnlySpan<byte> Png => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> Jpeg => [0xFF, 0xD8, 0xFF];

    /// <summary>The kind of <paramref name="data"/>.</summary>
    public static ContentKind Sniff(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith("PK\u0003\u0004"u8) || data.StartsWith("PK\u0005\u0006"u8))
        {
            return ContentKind.Zip;
        }

        var image = data.StartsWith(Png)
            || data.StartsWith(Jpeg)
            || data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8)
            || data.StartsWith("BM"u8)
            || (data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8));
        return image ? ContentKind.Image : ContentKind.Unknown;
    }

    /// <summary>The media type of an image recognised by <see cref="Sniff"/> (never taken from the client).</summary>
    public static string ImageMediaType(ReadOnlySpan<byte> data)
        => data.StartsWith(Png) ? "image/png"
            : data.StartsWith(Jpeg) ? "image/jpeg"
            : data.StartsWith("GIF"u8) ? "image/gif"
            : data.StartsWith("BM"u8) ? "image/bmp"
            : data.StartsWith("RIFF"u8) ? "image/webp"
            : "application/octet-stream";

    /// <summary>The first bytes as hex, for error messages.</summary>
    public static string Describe(ReadOnlySpan<byte> data)
        => data.IsEmpty ? "empty" : "starts with " + Convert.ToHexString(data[..Math.Min(8, data.Length)]);
}
