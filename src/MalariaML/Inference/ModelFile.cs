using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MalariaML.Inference;

/// <summary>
/// The <c>.malaria</c> container: a zip holding <c>metadata.json</c> and the model's payload entries (weights), each
/// payload's SHA-256 recorded in the metadata. Written atomically; read with checks for truncation, foreign files,
/// missing entries, tampering and newer format versions.
/// </summary>
public static class ModelFile
{
    /// <summary>Layout version this library writes and the newest it reads.</summary>
    public const int CurrentFormatVersion = 1;

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
        };
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            ZipEntries.Put(zip, MetadataEntry, JsonSerializer.SerializeToUtf8Bytes(withChecksums, JsonOptions));
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
            ModelMetadata? metadata;
            try
            {
                metadata = JsonSerializer.Deserialize<ModelMetadata>(metadataBytes, JsonOptions);
            }
            catch (JsonException e)
            {
                throw new ModelFileException(path, $"metadata is not valid ({e.Message})", e);
            }

            if (metadata is null)
            {
                throw new ModelFileException(path, "metadata is empty");
            }

            if (metadata.FormatVersion > CurrentFormatVersion)
            {
                throw new ModelFileException(path, $"format version {metadata.FormatVersion} is newer than this library reads ({CurrentFormatVersion}); update MalariaML");
            }

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
