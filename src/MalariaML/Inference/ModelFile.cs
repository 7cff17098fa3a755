using MalariaML.Models;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MalariaML.Inference;

/// <summary>
/// The <c>.malaria</c> container: a zip holding <c>metadata.json</c> and the model's payload entries (weights), each
/// payload's SHA-256 recorded in the metadata, and the SHA-256 of the metadata itself recorded in it too (format 2).
/// Written atomically; read with checks for truncation, foreign files, missing entries, tampering and newer format versions.
/// </summary>
/// <remarks>
/// <para>Format 2 covers <c>metadata.json</c> by <see cref="ModelMetadata.MetadataChecksum"/>: the SHA-256 of the
/// metadata's canonical form, which is the JSON object without that one property, written compactly with its properties in
/// file order (so whitespace does not matter, every value does). An edited threshold, positive class, class name, input
/// size or checksum list is refused exactly like a flipped weight bit.</para>
/// <para>Format 1 files (written before the metadata was checksummed) still load: their weights are verified, their
/// metadata cannot be, and <see cref="ModelMetadata.MetadataChecksum"/> is null; saving such a model again writes
/// format 2. Like the weights' checksums, this catches damage and edits, not a forger, who can recompute a SHA-256.</para>
/// </remarks>
internal static class ModelFile
{
    /// <summary>Layout version this library writes and the newest it reads.</summary>
    public const int CurrentFormatVersion = 2;

    /// <summary>The first format version whose metadata carries <see cref="ModelMetadata.MetadataChecksum"/>.</summary>
    public const int FirstSealedFormatVersion = 2;

    /// <summary>Name of the metadata entry.</summary>
    public const string MetadataEntry = "metadata.json";

    /// <summary>Writes metadata and payloads to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Write(string path, ModelMetadata metadata, IReadOnlyDictionary<string, byte[]> payloads)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(payloads);
        var withChecksums = metadata with
        {
            FormatVersion = CurrentFormatVersion,
            Checksums = payloads.ToDictionary(p => p.Key, p => Convert.ToHexStringLower(SHA256.HashData(p.Value))),
            MetadataChecksum = null,
        };
        // Hashed from the parsed JSON, the very form a reader hashes, so writer and reader cannot disagree on canonical form.
        var node = JsonNode.Parse(JsonSerializer.SerializeToUtf8Bytes(withChecksums, JsonOptions))!.AsObject();
        node[MetadataChecksumProperty] = MetadataChecksumOf(node);
        var metadataBytes = Encoding.UTF8.GetBytes(node.ToJsonString(JsonOptions));
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            ZipEntries.Put(zip, MetadataEntry, metadataBytes);
            foreach (var (name, bytes) in payloads)
            {
                ZipEntries.Put(zip, name, bytes);
            }
        });
    }

    /// <summary>Reads and verifies a model file.</summary>
    /// <exception cref="ModelFileException">The file is missing, truncated, not a zip, lacks an entry, was tampered with, or is too new.</exception>
    public static (ModelMetadata Metadata, IReadOnlyDictionary<string, byte[]> Payloads) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelFileException(path, "model file not found");
        }

        try
        {
            using var zip = ZipFile.OpenRead(path);
            var metadataBytes = Get(zip, MetadataEntry, path);
            var metadata = ReadMetadata(metadataBytes, path);

            if (metadata.Checksums.Count == 0)
            {
                throw new ModelFileException(path, "metadata lists no weights");
            }

            var payloads = new Dictionary<string, byte[]>();
            foreach (var (name, expected) in metadata.Checksums)
            {
                var bytes = Get(zip, name, path);
                var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
                if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ModelFileException(path, $"entry '{name}' fails its checksum: the file is damaged or was modified");
                }

                payloads[name] = bytes;
            }

            return (metadata, payloads);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(path, $"not a MalariaML model file, or truncated ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw new ModelFileException(path, "truncated model file", e);
        }
    }

    /// <summary>Parses and verifies <c>metadata.json</c>: version first (a newer format may seal differently), then its checksum.</summary>
    private static ModelMetadata ReadMetadata(byte[] bytes, string path)
    {
        try
        {
            if (JsonNode.Parse(bytes) is not JsonObject node)
            {
                throw new ModelFileException(path, "metadata is empty or not a JSON object");
            }

            var version = node["formatVersion"]?.GetValue<int>() ?? 0;
            if (version > CurrentFormatVersion)
            {
                throw new ModelFileException(path, $"format version {version} is newer than this library reads ({CurrentFormatVersion}); update MalariaML");
            }

            if (version >= FirstSealedFormatVersion)
            {
                var recorded = node[MetadataChecksumProperty]?.GetValue<string>();
                if (string.IsNullOrEmpty(recorded))
                {
                    throw new ModelFileException(path, $"metadata.json of format {version} lacks its checksum: the file was modified");
                }

                if (!string.Equals(MetadataChecksumOf(node), recorded, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ModelFileException(path, "metadata.json fails its checksum: the file is damaged or was modified (threshold, classes or other settings edited)");
                }
            }

            return node.Deserialize<ModelMetadata>(JsonOptions) ?? throw new ModelFileException(path, "metadata is empty");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ModelFileException(path, $"metadata is not valid ({e.Message})", e);
        }
    }

    /// <summary>
    /// SHA-256 (hex) of the canonical form of a metadata object: without <see cref="ModelMetadata.MetadataChecksum"/>,
    /// compact, properties in their order.
    /// </summary>
    internal static string MetadataChecksumOf(JsonObject metadata)
    {
        var canonical = new JsonObject();
        foreach (var (name, value) in metadata)
        {
            if (name != MetadataChecksumProperty)
            {
                canonical[name] = value?.DeepClone();
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToJsonString(CanonicalJson))));
    }

    private const string MetadataChecksumProperty = "metadataChecksum";

    private static readonly JsonSerializerOptions CanonicalJson = new() { WriteIndented = false };

    private static byte[] Get(ZipArchive zip, string name, string path)
    {
        try
        {
            return ZipEntries.Get(zip, name) ?? throw new ModelFileException(path, $"missing entry '{name}'");
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(path, $"entry '{name}' is corrupt ({e.Message})", e);
        }
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
