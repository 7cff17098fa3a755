using System.IO.Compression;
using System.Text.Json.Nodes;
using MalariaML.Inference;

namespace MalariaML.Tests;

/// <summary>Damages a <c>.malaria</c> zip in the ways the loader must refuse.</summary>
internal static class ModelFileEdits
{
    /// <summary>Flips one bit in the middle of the weights, keeping the recorded checksum.</summary>
    public static void TamperWeights(ZipArchive zip)
    {
        var entry = zip.GetEntry(TorchCellScorer.WeightsEntry)!;
        byte[] weights;
        using (var s = entry.Open())
        using (var m = new MemoryStream())
        {
            s.CopyTo(m);
            weights = m.ToArray();
        }

        weights[weights.Length / 2] ^= 0x40;
        entry.Delete();
        using var w = zip.CreateEntry(TorchCellScorer.WeightsEntry).Open();
        w.Write(weights);
    }

    /// <summary>
    /// Rewrites <c>metadata.json</c> after <paramref name="edit"/>; with <paramref name="reseal"/> its checksum is recomputed,
    /// as a forger would, to reach the checks behind it.
    /// </summary>
    public static void EditMetadata(ZipArchive zip, Action<JsonObject> edit, bool reseal = false)
    {
        var entry = zip.GetEntry(ModelFile.MetadataEntry)!;
        JsonObject node;
        using (var s = entry.Open())
        {
            node = JsonNode.Parse(s)!.AsObject();
        }

        edit(node);
        if (reseal)
        {
            node["metadataChecksum"] = ModelFile.MetadataChecksumOf(node);
        }

        entry.Delete();
        using var w = new StreamWriter(zip.CreateEntry(ModelFile.MetadataEntry).Open());
        w.Write(node.ToJsonString());
    }
}
