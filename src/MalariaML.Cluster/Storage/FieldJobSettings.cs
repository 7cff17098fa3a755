namespace MalariaML.Cluster.Storage;

/// <summary>
/// How the fields of a field job are screened: the options of <c>malaria screen</c> that change what a node computes.
/// (<c>--min-cells</c> only changes the merged patient table, so it stays with the client.)
/// </summary>
/// <param name="CellDiameter">Red-cell diameter in pixels; null: estimated per field.</param>
/// <param name="NormalizeColor">Move each field's cell colours to the training cells' statistics before classifying.</param>
/// <param name="PatientPattern">Regular expression naming a field's patient; null: its folder.</param>
public sealed record FieldJobSettings(double? CellDiameter = null, bool NormalizeColor = false, string? PatientPattern = null);
