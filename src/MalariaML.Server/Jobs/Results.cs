using MalariaML.Server.Uploads;

namespace MalariaML.Server.Jobs;

/// <summary>The model's call on one uploaded cell.</summary>
/// <param name="Id">Random id of the cell (for its heat map).</param>
/// <param name="File">The file as the client named it (or <c>archive.zip/folder/cell.png</c>).</param>
/// <param name="Patient">Patient: the zip folder, or the patient key of the file name.</param>
/// <param name="Label">Predicted class.</param>
/// <param name="Probability">Probability of the positive class.</param>
/// <param name="Positive">Whether the probability reached the model's threshold.</param>
/// <param name="Heatmap">URL of the Grad-CAM overlay (null when the model has no gradients).</param>
public sealed record CellResult(string Id, string File, string Patient, string Label, double Probability, bool Positive, string? Heatmap);

/// <summary>Parasitemia of one patient with its 95% Wilson interval, as <c>malaria predict --summary</c> writes it.</summary>
public sealed record PatientResult(string Patient, int Cells, int Parasitized, double Parasitemia, double CiLow, double CiHigh);

/// <summary>Everything one upload gave.</summary>
/// <param name="Job">Job id.</param>
/// <param name="Cells">Every scored cell, in upload order.</param>
/// <param name="Patients">Per patient, sorted by patient.</param>
/// <param name="Errors">Files left out, with the reason.</param>
/// <param name="Fields">Whole-field photos, with the URL of their overlay.</param>
public sealed record PredictionResult(string Job, IReadOnlyList<CellResult> Cells, IReadOnlyList<PatientResult> Patients, IReadOnlyList<FileError> Errors, IReadOnlyList<FieldResult> Fields);

/// <summary>A whole-field photo and its overlay.</summary>
public sealed record FieldResult(string File, string? Overlay);

/// <summary>The state of a job, as <c>GET /api/jobs/{id}</c> answers.</summary>
/// <param name="Id">Job id.</param>
/// <param name="Status"><c>queued</c>, <c>running</c>, <c>done</c> or <c>failed</c>.</param>
/// <param name="Done">Cells scored so far.</param>
/// <param name="Total">Cells to score.</param>
/// <param name="Result">The result once done.</param>
/// <param name="Error">Why it failed.</param>
public sealed record JobStatus(string Id, string Status, int Done, int Total, PredictionResult? Result, string? Error);
