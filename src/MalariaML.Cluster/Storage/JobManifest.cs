using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MalariaML.Cluster.Storage;

/// <summary>
/// A job's file list and shard size, written once to <c>DIR/job.json</c> on the shared storage. Only its path and
/// SHA-256 travel through the cluster; every node reads the list from there.
/// </summary>
/// <param name="Files">Image paths, in the order the merged outputs list them.</param>
/// <param name="ShardSize">Files per shard (the last shard may hold fewer).</param>
/// <param name="Threshold">Probability at which a cell is called parasitized; null: the model's (as <c>predict</c> without <c>--threshold</c>).</param>
/// <param name="Fields">Set for a job of whole field photographs (scored like <c>malaria screen</c>); null for a job of cells.</param>
/// <remarks>
/// The optional parts are left out of the file when unset, so a job of cells at the model's threshold keeps the
/// manifest bytes (and so the job id and checksum) it had before they existed.
/// </remarks>
public sealed record JobManifest(
    IReadOnlyList<string> Files,
    int ShardSize,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Threshold = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FieldJobSettings? Fields = null)
{
    /// <summary>File name of the manifest inside the job's folder.</summary>
    public const string FileName = "job.json";

    /// <summary>Number of shards.</summary>
    public int ShardCount => (Files.Count + ShardSize - 1) / ShardSize;

    /// <summary>The files of one shard.</summary>
    public IReadOnlyList<string> Shard(int shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, ShardCount);
        var start = shard * ShardSize;
        return Files.Skip(start).Take(Math.Min(ShardSize, Files.Count - start)).ToList();
    }

    /// <summary>The manifest's bytes as written to disk.</summary>
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, ShardJson.Options);

    /// <summary>SHA-256 (lower-case hex) of bytes.</summary>
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Reads a manifest and checks it is the one the job was submitted with.</summary>
    /// <exception cref="ClusterJobException">The manifest is missing, unreadable, or changed since the job was submitted.</exception>
    public static JobManifest Read(string path, string expectedSha256)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClusterJobException($"{path}: the job's manifest cannot be read ({e.Message})", e);
        }

        var sha = Sha256(bytes);
        if (!string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ClusterJobException($"{path}: the job's manifest changed since it was submitted (sha256 {sha}, the job has {expectedSha256})");
        }

        try
        {
            var manifest = JsonSerializer.Deserialize<JobManifest>(bytes, ShardJson.Options);
            return manifest is { Files: not null, ShardSize: > 0 } ? manifest : throw new JsonException("no files or shard size");
        }
        catch (JsonException e)
        {
            throw new ClusterJobException($"{path}: not a job manifest ({e.Message})", e);
        }
    }
}
