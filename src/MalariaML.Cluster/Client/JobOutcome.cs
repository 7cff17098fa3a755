using MalariaML.Fields;
using MalariaML.Inference;

namespace MalariaML.Cluster.Client;

/// <summary>A finished job, merged: every file's result once, in the job's file order, and the files skipped.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Batch">
/// A job of cells: what <c>PredictMany</c> over all the files would have returned. A job of fields: no predictions,
/// and the fields that could not be screened as its skipped files.
/// </param>
/// <param name="Shards">Number of shards.</param>
/// <param name="Refusals">Nodes the job refused (another model), one line each.</param>
/// <param name="Fields">A job of fields: every usable field's screening, in the job's file order; empty for a job of cells.</param>
public sealed record JobOutcome(string JobId, PredictionBatch Batch, int Shards, IReadOnlyList<string> Refusals, IReadOnlyList<FieldScreening> Fields);
