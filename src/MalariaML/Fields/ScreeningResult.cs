using MalariaML.Data;

namespace MalariaML.Fields;

/// <summary>Fields screened together: per field, per patient, and the files that could not be used.</summary>
/// <param name="Fields">Each usable field.</param>
/// <param name="Patients">Per-patient sums.</param>
/// <param name="Skipped">Files that are not usable images, with the reason.</param>
public sealed record ScreeningResult(IReadOnlyList<FieldScreening> Fields, IReadOnlyList<PatientScreening> Patients, IReadOnlyList<SkippedFile> Skipped);
