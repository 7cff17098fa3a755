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
/// <param name="Field">For a cell cut from a whole-field photo: that field's file (null for uploaded cells).</param>
/// <param name="FieldCell">For a cell cut from a field: its object number there (the <c>cell</c> column of the field-cells CSV).</param>
public sealed record CellResult(string Id, string File, string Patient, string Label, double Probability, bool Positive, string? Heatmap,
    string? Field = null, int? FieldCell = null);

/// <summary>Parasitemia of one patient with its 95% Wilson interval, as <c>malaria predict --summary</c> writes it.</summary>
public sealed record PatientResult(string Patient, int Cells, int Parasitized, double Parasitemia, double CiLow, double CiHigh);

/// <summary>Everything one upload gave.</summary>
/// <param name="Job">Job id.</param>
/// <param name="Cells">Every scored cell, in upload order.</param>
/// <param name="Patients">Per patient, sorted by patient.</param>
/// <param name="Errors">Files left out, with the reason.</param>
/// <param name="Fields">Whole-field photos, with the URL of their overlay.</param>
public sealed record PredictionResult(string Job, IReadOnlyList<CellResult> Cells, IReadOnlyList<PatientResult> Patients, IReadOnlyList<FileError> Errors, IReadOnlyList<FieldResult> Fields);

/// <summary>A whole-field photo screened as <c>malaria screen</c> does: its counts and its overlay.</summary>
/// <param name="File">The photo's display name.</param>
/// <param name="Patient">Patient it belongs to.</param>
/// <param name="Cells">Whole red cells counted and classified (their crops are among the result's cells).</param>
/// <param name="Parasitized">Cells called parasitized.</param>
/// <param name="Parasitemia">Parasitized share of the counted cells.</param>
/// <param name="CiLow">Lower end of the 95% Wilson interval.</param>
/// <param name="CiHigh">Upper end of the 95% Wilson interval.</param>
/// <param name="Objects">Objects found, counted or not (white cells, platelets, cells cut by the border...).</param>
/// <param name="CellDiameter">Red-cell diameter in pixels the segmentation used.</param>
/// <param name="Overlay">URL of the field with its objects outlined.</param>
public sealed record FieldResult(string File, string Patient, int Cells, int Parasitized, double Parasitemia, double CiLow, double CiHigh, int Objects, double CellDiameter, string? Overlay);

/// <summary>The state of a job, as <c>GET /api/jobs/{id}</c> answers.</summary>
/// <param name="Id">Job id.</param>
/// <param name="Status"><c>queued</c>, <c>running</c>, <c>done</c> or <c>failed</c>.</param>
/// <param name="Done">Cells scored so far.</param>
/// <param name="Total">Cells to score.</param>
/// <param name="Result">The result once done.</param>
/// <param name="Error">Why it failed.</param>
public sealed record JobStatus(string Id, string Status, int Done, int Total, PredictionResult? Result, string? Error);
