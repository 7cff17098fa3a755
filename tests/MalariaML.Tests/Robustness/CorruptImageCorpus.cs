using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using MalariaML.Data;
using SkiaSharp;

namespace MalariaML.Tests.Robustness;

/// <summary>What was done to a real cell to make one corpus entry.</summary>
public enum Mutation
{
    /// <summary>One to eight bytes after the PNG signature XOR-ed with random masks.</summary>
    FlippedBytes,

    /// <summary>One PNG chunk (any: IHDR, tIME, IDAT, IEND) removed.</summary>
    ChunkDeleted,

    /// <summary>One PNG chunk repeated right after itself.</summary>
    ChunkDuplicated,

    /// <summary>Two PNG chunks swapped.</summary>
    ChunksReordered,

    /// <summary>The CRC of one PNG chunk changed; its data untouched.</summary>
    CorruptCrc,

    /// <summary>The file cut at a random offset.</summary>
    Truncated,

    /// <summary>IHDR claims 100,000 x 100,000 pixels, with a correct CRC: only the size is wrong.</summary>
    HugeHeader,

    /// <summary>An empty file.</summary>
    ZeroBytes,

    /// <summary>The cell as a JPEG (Skia encoder), named <c>.png</c>.</summary>
    JpegAsPng,

    /// <summary>The cell as a GIF (written here: 3-3-2 palette, uncompressed LZW), named <c>.png</c>.</summary>
    GifAsPng,

    /// <summary>The cell as a 24-bit BMP (written here), named <c>.png</c>.</summary>
    BmpAsPng,

    /// <summary>The cell as a WebP (Skia encoder), named <c>.png</c>.</summary>
    WebpAsPng,

    /// <summary>An 8-bit grayscale PNG of the cell.</summary>
    Grayscale,

    /// <summary>An 8-bit RGBA PNG of the cell, black background fully transparent.</summary>
    Rgba,

    /// <summary>A 16-bit-per-channel RGB PNG of the cell.</summary>
    Rgb16,

    /// <summary>A 1x1 RGB PNG holding the cell's centre pixel.</summary>
    OnePixel,
}

/// <summary>What every entry point must do with a corpus entry.</summary>
public enum Expectation
{
    /// <summary>A valid image in another format or layout: it must be converted and used, never rejected.</summary>
    Use,

    /// <summary>Unusable: it must be skipped with a reason.</summary>
    Skip,

    /// <summary>Depends on where the damage fell (an ancillary chunk, bytes after the image data): either, never a crash.</summary>
    Either,
}

/// <summary>One file of the corpus.</summary>
/// <param name="Path">Where it was written.</param>
/// <param name="Label">Class folder (that of the source cell).</param>
/// <param name="Mutation">What was done.</param>
/// <param name="SourcePath">The real cell it came from.</param>
/// <param name="Expected">Use, skip or either.</param>
/// <param name="ReasonContains">For some skips, text the reason must contain.</param>
/// <param name="ExpectedPixels">For uses, the pixels a decode at native size must give.</param>
/// <param name="MaxMeanAbsDiff">For uses, how far (mean absolute difference, 0-255) the decode may be from <paramref name="ExpectedPixels"/>: 0 for lossless formats.</param>
/// <param name="Detail">What exactly was done, for messages.</param>
/// <param name="Bytes">The file's content.</param>
public sealed record CorpusEntry(string Path, string Label, Mutation Mutation, string SourcePath, Expectation Expected,
    string? ReasonContains, RgbImage? ExpectedPixels, double MaxMeanAbsDiff, string Detail, byte[] Bytes)
{
    /// <inheritdoc/>
    public override string ToString() => $"{System.IO.Path.GetFileName(Path)} ({Mutation}: {Detail})";
}

/// <summary>
/// A seeded corpus of damaged and unusual image files made from the committed real cells, laid out as a dataset folder
/// (<c>Parasitized/</c>, <c>Uninfected/</c>). Entry <c>i</c> gets mutation <c>i mod 16</c>, so any slice of 16 or more
/// holds every kind; the source cell and the damage come from a generator seeded with (seed, i), so a failing entry can
/// be regenerated alone.
/// </summary>
public sealed class CorruptImageCorpus
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly Mutation[] Kinds = Enum.GetValues<Mutation>();

    private CorruptImageCorpus(string root, IReadOnlyList<CorpusEntry> entries)
    {
        Root = root;
        Entries = entries;
    }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    /// <summary>Every file written, in index order.</summary>
    public IReadOnlyList<CorpusEntry> Entries { get; }

    /// <summary>The entry written at <paramref name="path"/>.</summary>
    public CorpusEntry this[string path] => Entries.First(e => e.Path == path);

    /// <summary>Writes <paramref name="count"/> entries under <paramref name="root"/>.</summary>
    public static CorruptImageCorpus Write(string root, int count, int seed)
    {
        var sources = TestData.Sample().Cells;
        var decoded = new Dictionary<string, SKBitmap>();
        var entries = new List<CorpusEntry>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var random = new Random(unchecked(seed * 1_000_003 + i));
                var source = sources[random.Next(sources.Count)];
                if (!decoded.TryGetValue(source.Path, out var bitmap))
                {
                    bitmap = SKBitmap.Decode(source.Path) ?? throw new InvalidOperationException($"sample cell {source.Path} does not decode");
                    decoded[source.Path] = bitmap;
                }

                var kind = Kinds[i % Kinds.Length];
                var name = $"{System.IO.Path.GetFileNameWithoutExtension(source.Path)}__fz{i:D4}_{kind}.png";
                var path = System.IO.Path.Combine(root, source.Label, name);
                entries.Add(Make(kind, path, source, File.ReadAllBytes(source.Path), bitmap, random));
            }
        }
        finally
        {
            foreach (var bitmap in decoded.Values)
            {
                bitmap.Dispose();
            }
        }

        foreach (var label in entries.Select(e => e.Label).Append("Parasitized").Append("Uninfected").Distinct())
        {
            Directory.CreateDirectory(System.IO.Path.Combine(root, label));
        }

        foreach (var e in entries)
        {
            File.WriteAllBytes(e.Path, e.Bytes);
        }

        return new CorruptImageCorpus(System.IO.Path.GetFullPath(root), entries);
    }

    private static CorpusEntry Make(Mutation kind, string path, CellImage source, byte[] png, SKBitmap bitmap, Random random)
    {
        CorpusEntry Entry(Expectation expected, string detail, byte[] bytes, string? reason = null, RgbImage? pixels = null, double tolerance = 0)
            => new(path, source.Label, kind, source.Path, expected, reason, pixels, tolerance, detail, bytes);

        var rgb = ToRgb(bitmap);
        var chunks = Chunks(png);
        switch (kind)
        {
            case Mutation.FlippedBytes:
            {
                var bytes = (byte[])png.Clone();
                var n = random.Next(1, 9);
                var at = new List<int>();
                for (var k = 0; k < n; k++)
                {
                    var offset = random.Next(PngSignature.Length, bytes.Length);
                    bytes[offset] ^= (byte)random.Next(1, 256);
                    at.Add(offset);
                }

                return Entry(Expectation.Either, $"{n} byte(s) flipped at {string.Join(",", at)} of {bytes.Length}", bytes);
            }

            case Mutation.ChunkDeleted:
            {
                var index = random.Next(chunks.Count);
                var type = chunks[index].Type;
                var kept = chunks.Where((_, k) => k != index).ToList();
                // Without the header or a part of the pixel data there is no complete image.
                var expected = type is "IHDR" or "IDAT" ? Expectation.Skip : Expectation.Either;
                return Entry(expected, $"chunk {index} ({type}) deleted", Join(kept));
            }

            case Mutation.ChunkDuplicated:
            {
                var index = random.Next(chunks.Count);
                var copy = chunks.ToList();
                copy.Insert(index + 1, chunks[index]);
                return Entry(Expectation.Either, $"chunk {index} ({chunks[index].Type}) duplicated", Join(copy));
            }

            case Mutation.ChunksReordered:
            {
                var a = random.Next(chunks.Count);
                var b = (a + random.Next(1, chunks.Count)) % chunks.Count;
                var copy = chunks.ToList();
                (copy[a], copy[b]) = (copy[b], copy[a]);
                var swapped = $"chunks {a} ({chunks[a].Type}) and {b} ({chunks[b].Type}) swapped";
                // Moving the header away from the front leaves no PNG a decoder may accept.
                return Entry(a == 0 || b == 0 ? Expectation.Skip : Expectation.Either, swapped, Join(copy));
            }

            case Mutation.CorruptCrc:
            {
                var index = random.Next(chunks.Count);
                var copy = chunks.ToList();
                copy[index] = copy[index] with { Crc = copy[index].Crc ^ (uint)random.Next(1, int.MaxValue) };
                return Entry(Expectation.Either, $"CRC of chunk {index} ({chunks[index].Type}) corrupted", Join(copy));
            }

            case Mutation.Truncated:
            {
                var length = random.Next(1, png.Length);
                var endOfPixels = 0;
                var offset = PngSignature.Length;
                foreach (var c in chunks)
                {
                    offset += 12 + c.Data.Length;
                    if (c.Type == "IDAT")
                    {
                        endOfPixels = offset;
                    }
                }

                // Cut inside the pixel data, the image is incomplete; cut after it, only the IEND trailer is missing.
                var expected = length < endOfPixels - 4 ? Expectation.Skip : Expectation.Either;
                return Entry(expected, $"cut to {length} of {png.Length} bytes (pixel data ends at {endOfPixels})", png[..length]);
            }

            case Mutation.HugeHeader:
            {
                var copy = chunks.ToList();
                var header = (byte[])copy[0].Data.Clone();
                BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0, 4), 100_000);
                BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4, 4), 100_000);
                copy[0] = new Chunk("IHDR", header, Crc32("IHDR", header));
                return Entry(Expectation.Skip, "IHDR claims 100000x100000, CRC recomputed", Join(copy), "over the limit");
            }

            case Mutation.ZeroBytes:
                return Entry(Expectation.Skip, "0 bytes", [], "empty file");

            case Mutation.JpegAsPng:
            {
                using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
                return Entry(Expectation.Use, "JPEG quality 90", data.ToArray(), pixels: rgb, tolerance: 6);
            }

            case Mutation.WebpAsPng:
            {
                using var data = bitmap.Encode(SKEncodedImageFormat.Webp, 90);
                return Entry(Expectation.Use, "WebP quality 90", data.ToArray(), pixels: rgb, tolerance: 6);
            }

            case Mutation.GifAsPng:
            {
                var (gif, expected) = EncodeGif(rgb);
                return Entry(Expectation.Use, "GIF89a, 256-colour 3-3-2 palette", gif, pixels: expected);
            }

            case Mutation.BmpAsPng:
                return Entry(Expectation.Use, "24-bit BMP, bottom-up", EncodeBmp(rgb), pixels: rgb);

            case Mutation.Grayscale:
            {
                var gray = new byte[rgb.Width * rgb.Height];
                var expected = new byte[rgb.Pixels.Length];
                for (var p = 0; p < gray.Length; p++)
                {
                    var g = (byte)Math.Round(0.299 * rgb.Pixels[3 * p] + 0.587 * rgb.Pixels[3 * p + 1] + 0.114 * rgb.Pixels[3 * p + 2]);
                    gray[p] = g;
                    expected[3 * p] = expected[3 * p + 1] = expected[3 * p + 2] = g;
                }

                return Entry(Expectation.Use, "8-bit grayscale PNG (colour type 0)", EncodePng(rgb.Width, rgb.Height, 0, 8, gray),
                    pixels: new RgbImage(rgb.Width, rgb.Height, expected));
            }

            case Mutation.Rgba:
            {
                var rgba = new byte[rgb.Width * rgb.Height * 4];
                var transparent = 0;
                for (var p = 0; p < rgb.Width * rgb.Height; p++)
                {
                    byte r = rgb.Pixels[3 * p], g = rgb.Pixels[3 * p + 1], b = rgb.Pixels[3 * p + 2];
                    var a = (byte)(r == 0 && g == 0 && b == 0 ? 0 : 255);
                    transparent += a == 0 ? 1 : 0;
                    (rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2], rgba[4 * p + 3]) = (r, g, b, a);
                }

                return Entry(Expectation.Use, $"8-bit RGBA PNG (colour type 6), {transparent} transparent pixels",
                    EncodePng(rgb.Width, rgb.Height, 6, 8, rgba), pixels: rgb);
            }

            case Mutation.Rgb16:
            {
                var wide = new byte[rgb.Pixels.Length * 2];
                for (var k = 0; k < rgb.Pixels.Length; k++)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(wide.AsSpan(2 * k), (ushort)(rgb.Pixels[k] * 257));
                }

                return Entry(Expectation.Use, "16-bit RGB PNG (colour type 2, depth 16)", EncodePng(rgb.Width, rgb.Height, 2, 16, wide), pixels: rgb);
            }

            case Mutation.OnePixel:
            {
                var centre = 3 * (rgb.Height / 2 * rgb.Width + rgb.Width / 2);
                var pixel = rgb.Pixels[centre..(centre + 3)];
                return Entry(Expectation.Use, "1x1 RGB PNG", EncodePng(1, 1, 2, 8, pixel), pixels: new RgbImage(1, 1, pixel));
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>A PNG chunk: type, data and the CRC stored for it.</summary>
    public sealed record Chunk(string Type, byte[] Data, uint Crc);

    /// <summary>The chunks of a PNG file (stops at the first chunk that does not fit).</summary>
    public static List<Chunk> Chunks(byte[] png)
    {
        if (png.Length < PngSignature.Length || !png.AsSpan(0, PngSignature.Length).SequenceEqual(PngSignature))
        {
            throw new ArgumentException("not a PNG", nameof(png));
        }

        var chunks = new List<Chunk>();
        var offset = PngSignature.Length;
        while (offset + 12 <= png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            if (length < 0 || offset + 12 + length > png.Length)
            {
                break;
            }

            chunks.Add(new Chunk(Encoding.ASCII.GetString(png, offset + 4, 4), png[(offset + 8)..(offset + 8 + length)],
                BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length))));
            offset += 12 + length;
        }

        return chunks;
    }

    /// <summary>The CRC-32 (ISO-HDLC, as PNG uses) of a chunk's type and data.</summary>
    public static uint Crc32(string type, ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in Encoding.ASCII.GetBytes(type))
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    private static byte[] Join(IEnumerable<Chunk> chunks)
    {
        using var output = new MemoryStream();
        output.Write(PngSignature);
        Span<byte> word = stackalloc byte[4];
        foreach (var c in chunks)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, c.Data.Length);
            output.Write(word);
            output.Write(Encoding.ASCII.GetBytes(c.Type));
            output.Write(c.Data);
            BinaryPrimitives.WriteUInt32BigEndian(word, c.Crc);
            output.Write(word);
        }

        return output.ToArray();
    }

    /// <summary>A PNG written by hand: IHDR, one IDAT (filter 0 on every row, zlib), IEND.</summary>
    /// <param name="colorType">0 gray, 2 RGB, 4 gray+alpha, 6 RGBA.</param>
    /// <param name="bitDepth">8 or 16 (16-bit samples big-endian in <paramref name="samples"/>).</param>
    /// <param name="samples">Rows without filter bytes.</param>
    public static byte[] EncodePng(int width, int height, int colorType, int bitDepth, byte[] samples)
    {
        var channels = colorType switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, _ => throw new ArgumentOutOfRangeException(nameof(colorType)) };
        var rowBytes = width * channels * bitDepth / 8;
        if (samples.Length != rowBytes * height)
        {
            throw new ArgumentException($"expected {rowBytes * height} bytes, got {samples.Length}", nameof(samples));
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(samples, y * rowBytes, rowBytes);
            }
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = (byte)colorType;
        var idat = compressed.ToArray();
        return Join([new Chunk("IHDR", header, Crc32("IHDR", header)), new Chunk("IDAT", idat, Crc32("IDAT", idat)), new Chunk("IEND", [], Crc32("IEND", []))]);
    }

    /// <summary>A 24-bit uncompressed BMP (BITMAPINFOHEADER, bottom-up rows padded to 4 bytes).</summary>
    public static byte[] EncodeBmp(RgbImage image)
    {
        var stride = (image.Width * 3 + 3) & ~3;
        var size = 54 + stride * image.Height;
        var bmp = new byte[size];
        var s = bmp.AsSpan();
        s[0] = (byte)'B';
        s[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(s[2..], size);
        BinaryPrimitives.WriteInt32LittleEndian(s[10..], 54);
        BinaryPrimitives.WriteInt32LittleEndian(s[14..], 40);
        BinaryPrimitives.WriteInt32LittleEndian(s[18..], image.Width);
        BinaryPrimitives.WriteInt32LittleEndian(s[22..], image.Height);
        BinaryPrimitives.WriteInt16LittleEndian(s[26..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(s[28..], 24);
        BinaryPrimitives.WriteInt32LittleEndian(s[34..], stride * image.Height);
        BinaryPrimitives.WriteInt32LittleEndian(s[38..], 2835);
        BinaryPrimitives.WriteInt32LittleEndian(s[42..], 2835);
        for (var y = 0; y < image.Height; y++)
        {
            var row = 54 + (image.Height - 1 - y) * stride;
            for (var x = 0; x < image.Width; x++)
            {
                var p = 3 * (y * image.Width + x);
                bmp[row + 3 * x] = image.Pixels[p + 2];
                bmp[row + 3 * x + 1] = image.Pixels[p + 1];
                bmp[row + 3 * x + 2] = image.Pixels[p];
            }
        }

        return bmp;
    }

    /// <summary>
    /// A GIF89a with one frame: the image quantised to a fixed 3-3-2 palette of 256 colours, and LZW data made only of
    /// literal codes with a clear code every 250, so the code width stays 9 bits (valid LZW any decoder reads).
    /// </summary>
    /// <returns>The file, and the pixels it holds (the palette colours).</returns>
    public static (byte[] Gif, RgbImage Pixels) EncodeGif(RgbImage image)
    {
        static byte Expand(int v, int bits) => (byte)Math.Round(v * 255.0 / ((1 << bits) - 1));
        var palette = new byte[256 * 3];
        for (var i = 0; i < 256; i++)
        {
            palette[3 * i] = Expand(i >> 5, 3);
            palette[3 * i + 1] = Expand((i >> 2) & 7, 3);
            palette[3 * i + 2] = Expand(i & 3, 2);
        }

        var n = image.Width * image.Height;
        var indices = new byte[n];
        var pixels = new byte[3 * n];
        for (var p = 0; p < n; p++)
        {
            var index = (image.Pixels[3 * p] >> 5 << 5) | (image.Pixels[3 * p + 1] >> 5 << 2) | (image.Pixels[3 * p + 2] >> 6);
            indices[p] = (byte)index;
            palette.AsSpan(3 * index, 3).CopyTo(pixels.AsSpan(3 * p));
        }

        // LZW: 9-bit codes, least significant bit first.
        const int clear = 256, end = 257;
        var codes = new List<byte>();
        int buffer = 0, bits = 0;
        void Emit(int code)
        {
            buffer |= code << bits;
            bits += 9;
            while (bits >= 8)
            {
                codes.Add((byte)buffer);
                buffer >>= 8;
                bits -= 8;
            }
        }

        for (var p = 0; p < n; p++)
        {
            if (p % 250 == 0)
            {
                Emit(clear);
            }

            Emit(indices[p]);
        }

        Emit(end);
        if (bits > 0)
        {
            codes.Add((byte)buffer);
        }

        using var gif = new MemoryStream();
        var w = new BinaryWriter(gif);
        w.Write("GIF89a"u8);
        w.Write((ushort)image.Width);
        w.Write((ushort)image.Height);
        w.Write((byte)0xF7); // global colour table of 2^(7+1) entries, 8 bits per primary
        w.Write((byte)0);
        w.Write((byte)0);
        w.Write(palette);
        w.Write((byte)0x2C); // image descriptor
        w.Write((ushort)0);
        w.Write((ushort)0);
        w.Write((ushort)image.Width);
        w.Write((ushort)image.Height);
        w.Write((byte)0);
        w.Write((byte)8); // LZW minimum code size
        for (var k = 0; k < codes.Count; k += 255)
        {
            var block = Math.Min(255, codes.Count - k);
            w.Write((byte)block);
            w.Write(codes.GetRange(k, block).ToArray());
        }

        w.Write((byte)0);
        w.Write((byte)0x3B);
        w.Flush();
        return (gif.ToArray(), new RgbImage(image.Width, image.Height, pixels));
    }

    private static RgbImage ToRgb(SKBitmap bitmap)
    {
        var colors = bitmap.Pixels;
        var rgb = new byte[colors.Length * 3];
        for (var p = 0; p < colors.Length; p++)
        {
            (rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]) = (colors[p].Red, colors[p].Green, colors[p].Blue);
        }

        return new RgbImage(bitmap.Width, bitmap.Height, rgb);
    }
}
