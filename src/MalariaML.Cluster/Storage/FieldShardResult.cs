using System.Text.Json;
using MalariaML.Data;
using MalariaML.Fields;

namespace MalariaML.Cluster.Storage;

/// <summary>
/// One shard of a field job, as a node writes it (atomically) to <c>DIR/shards/NNNNN.json</c>: every field's objects
/// and calls, with every digit of the probabilities, so the merged tables equal what <c>malaria screen</c> writes.
/// Outlines are left out: the tables do not use them and they would make the file many times larger.
/// </summary>
/// <param name="Shard">Shard index.</param>
/// <param name="Node">The node that screened it.</param>
/// <param name="Fields">One per usable field, in manifest order.</param>
/// <param name="Skipped">Files that could not be screened, and why.</param>
public sealed record FieldShardResult(int Shard, string Node, IReadOnlyList<ScreenedField> Fields, IReadOnlyList<SkippedFile> Skipped)
{
    /// <summary>The shard's result from what <see cref="FieldScreener.ScreenFiles"/> returned for <paramref name="files"/>.</summary>
    public static FieldShardResult From(int shard, string node, IReadOnlyList<string> files, ScreeningResult result)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(result);
        var skipped = result.Skipped.Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
        var screened = files.Where(f => !skipped.Contains(f)).ToList();
        if (screened.Count != result.Fields.Count)
        {
            throw new ClusterJobException($"shard {shard}: {screened.Count} usable files but {result.Fields.Count} fields screened");
        }

        return new FieldShardResult(shard, node, screened.Select((path, i) => ScreenedField.From(path, result.Fields[i])).ToList(), result.Skipped);
    }

    /// <summary>Writes the shard's file atomically.</summary>
    public void Write(string jobDir)
    {
        var path = ShardResult.PathOf(jobDir, Shard);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, ShardJson.Options));
    }

    /// <summary>Reads a shard's file and checks it covers exactly the shard's files, in order.</summary>
    /// <exception cref="ClusterJobException">The file is missing, unreadable, or does not match the shard.</exception>
    public static FieldShardResult Read(string jobDir, int shard, IReadOnlyList<string> files)
    {
        var path = ShardResult.PathOf(jobDir, shard);
        FieldShardResult? result;
        try
        {
            result = JsonSerializer.Deserialize<FieldShardResult>(File.ReadAllBytes(path), ShardJson.Options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ClusterJobException($"{path}: shard {shard} cannot be read ({e.Message})", e);
        }

        if (result is not { Fields: not null, Skipped: not null } || result.Shard != shard)
        {
            throw new ClusterJobException($"{path}: not the file of shard {shard} of a field job");
        }

        ShardResult.CheckCovers(path, shard, files, result.Fields.Select(f => f.Path).ToList(), result.Skipped);
        return result;
    }
}

/// <summary>One screened field as a shard file keeps it.</summary>
/// <param name="Path">The field's file (as in the manifest).</param>
/// <param name="Field">Field name in the tables (the file name).</param>
/// <param name="Patient">Patient the field belongs to.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="CellDiameter">Red-cell diameter used to segment.</param>
/// <param name="DiameterEstimated">Whether the diameter was estimated from the image.</param>
/// <param name="Objects">Every object found, with its call.</param>
public sealed record ScreenedField(string Path, string Field, string Patient, int Width, int Height, double CellDiameter, bool DiameterEstimated,
    IReadOnlyList<ScreenedFieldObject> Objects)
{
    /// <summary>The record of a field screened from <paramref name="path"/>.</summary>
    public static ScreenedField From(string path, FieldScreening screening)
    {
        ArgumentNullException.ThrowIfNull(screening);
        var s = screening.Segmentation;
        return new ScreenedField(path, screening.Field, screening.Patient, s.Width, s.Height, s.CellDiameter, s.DiameterEstimated,
            screening.Objects.Select(o => new ScreenedFieldObject(o.Object.Id, o.Object.Box, o.Object.Area, o.Object.Kind, o.Object.TouchesBorder,
                o.Probability, o.Label, o.IsPositive)).ToList());
    }

    /// <summary>The screening again, as the tables read it (objects without outlines).</summary>
    public FieldScreening ToScreening()
    {
        var objects = Objects.Select(o => (o, Object: new FieldObject(o.Id, o.Box, o.Area, [], o.Kind, o.TouchesBorder))).ToList();
        var segmentation = new FieldSegmentation(Width, Height, CellDiameter, DiameterEstimated, objects.Select(x => x.Object).ToList());
        return new FieldScreening(Field, Patient, segmentation, objects.Select(x => new ScreenedObject(x.Object, x.o.Probability, x.o.Label, x.o.IsPositive)).ToList());
    }
}

/// <summary>One object of a screened field: where it is, what it is, and the model's call on it.</summary>
/// <param name="Id">Object number in the field.</param>
/// <param name="Box">Its box.</param>
/// <param name="Area">Pixels inside its outline.</param>
/// <param name="Kind">What it probably is.</param>
/// <param name="TouchesBorder">Whether the image border cuts it.</param>
/// <param name="Probability">Probability of the positive class; null for objects not counted.</param>
/// <param name="Label">Predicted class, or <c>excluded</c>.</param>
/// <param name="IsPositive">Whether it was called positive.</param>
public sealed record ScreenedFieldObject(int Id, PixelBox Box, double Area, FieldObjectKind Kind, bool TouchesBorder, double? Probability, string Label, bool IsPositive);
