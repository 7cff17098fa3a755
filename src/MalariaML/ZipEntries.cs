using System.IO.Compression;

namespace MalariaML;

/// <summary>Whole-entry reads and writes for the zip containers (model files, checkpoints).</summary>
internal static class ZipEntries
{
    /// <summary>Adds an entry holding <paramref name="bytes"/>. Fastest compression: float weights barely compress.</summary>
    public static void Put(ZipArchive zip, string name, byte[] bytes)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        entry.Write(bytes);
    }

    /// <summary>The bytes of an entry, or null when the zip has no such entry.</summary>
    /// <exception cref="InvalidDataException">The entry's data is corrupt.</exception>
    public static byte[]? Get(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        if (entry is null)
        {
            return null;
        }

        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
