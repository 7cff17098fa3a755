using MalariaML.Inference;

namespace MalariaML.Cluster.Client;

/// <summary>A finished job, merged: every file's prediction once, in the job's file order, and the files skipped.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Batch">What <c>PredictMany</c> over all the files would have returned.</param>
/// <param name="Shards">Number of shards.</param>
/// <param name="Refusals">Nodes the job refused (another model), one line each.</param>
public sealed record JobOutcome(string JobId, PredictionBatch Batch, int Shards, IReadOnlyList<string> Refusals);
