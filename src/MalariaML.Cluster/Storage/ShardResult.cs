using System.Globalization;
using System.Text.Json;
using MalariaML.Data;
using MalariaML.Inference;

namespace MalariaML.Cluster.Storage;

/// <summary>
/// One shard's scores, as a node writes them (atomically) to <c>DIR/shards/NNNNN.json</c>. Probabilities keep every
/// digit (JSON's shortest round-trip form), so the merged outputs equal what <c>malaria predict</c> writes.
/// </summary>
/// <param name="Shard">Shard index.</param>
/// <param name="Node">The node that scored it.</param>
/// <param name="Predictions">One per usable file, in manifest order.</param>
/// <param name="Skipped">Files that could not be scored, and why.</param>
public sealed record ShardResult(int Shard, string Node, IReadOnlyList<CellPrediction> Predictions, IReadOnlyList<SkippedFile> Skipped)
{
    /// <summary>Folder of the shard files inside the job's folder.</summary>
    public const string FolderName = "shards";

    /// <summary>Path of a shard's file.</summary>
    public static string PathOf(string jobDir, int shard)
        => Path.Combine(jobDir, FolderName, shard.ToString("D5", CultureInfo.InvariantCulture) + ".json");

    /// <summary>Writes the shard's file atomically: readers see the old file or the whole new one, never a part.</summary>
    public void Write(string jobDir)
    {
        var path = PathOf(jobDir, Shard);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, ShardJson.Options));
    }

    /// <summary>Reads a shard's file and checks it covers exactly the shard's files, in order.</summary>
    /// <exception cref="ClusterJobException">The file is missing, unreadable, or does not match the shard.</exception>
    public static ShardResult Read(string jobDir, int shard, IReadOnlyList<string> files)
    {
        var path = PathOf(jobDir, shard);
        ShardResult? result;
        try
        {
            result = JsonSerializer.Deserialize<ShardResult>(File.ReadAllBytes(path), ShardJson.Options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ClusterJobException($"{path}: shard {shard} cannot be read ({e.Message})", e);
        }

        if (result is null || result.Shard != shard)
        {
            throw new ClusterJobException($"{path}: not the file of shard {shard}");
        }

        CheckCovers(path, shard, files, result.Predictions.Select(p => p.Source).ToList(), result.Skipped);
        return result;
    }

    /// <summary>Checks that every file of the shard is either scored or skipped, once, and the scored ones keep the manifest's order.</summary>
    /// <exception cref="ClusterJobException">They do not.</exception>
    internal static void CheckCovers(string path, int shard, IReadOnlyList<string> files, IReadOnlyList<string> scored, IReadOnlyList<SkippedFile> skippedFiles)
    {
        var skipped = skippedFiles.Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
        if (!scored.SequenceEqual(files.Where(f => !skipped.Contains(f)), StringComparer.Ordinal) || scored.Count + skipped.Count != files.Count)
        {
            throw new ClusterJobException($"{path}: shard {shard} does not hold exactly its {files.Count} files");
        }
    }
}
