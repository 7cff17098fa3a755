using MalariaML.Cluster.Storage;
using MalariaML.Fields;

namespace MalariaML.Cluster.Silo;

/// <summary>
/// Scores one shard with the code of the one-machine commands (<c>predict</c>'s <c>PredictMany</c> for cells,
/// <c>screen</c>'s <see cref="FieldScreener"/> for fields) and writes its file atomically.
/// </summary>
internal static class ShardScoring
{
    /// <summary>Scores and writes the shard; returns its line for the node's log ("N scored, M skipped").</summary>
    public static string Run(NodeModel model, JobManifest manifest, int shard, string jobDir, string node, CancellationToken token)
    {
        var files = manifest.Shard(shard);
        model.UseThreshold(manifest.Threshold);
        if (manifest.Fields is not { } settings)
        {
            var batch = model.Model.PredictMany(files, null, token);
            new ShardResult(shard, node, batch.Predictions, batch.Skipped).Write(jobDir);
            return $"{batch.Predictions.Count} scored, {batch.Skipped.Count} skipped";
        }

        var options = new FieldScreeningOptions
        {
            Segmentation = new FieldSegmentationOptions { CellDiameter = settings.CellDiameter },
            NormalizeColor = settings.NormalizeColor,
        };
        var screener = new FieldScreener(model.FieldModel, options);
        var result = screener.ScreenFiles(files, new FieldPatients(settings.PatientPattern), null, token);
        FieldShardResult.From(shard, node, files, result).Write(jobDir);
        return $"{result.Fields.Count} fields screened ({result.Fields.Sum(f => f.Cells)} cells), {result.Skipped.Count} skipped";
    }
}
