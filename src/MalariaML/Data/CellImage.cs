namespace MalariaML.Data;

/// <summary>One red-blood-cell crop: where it is, which class folder it came from, and whose blood it is.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Label">Class name, taken from the name of the folder that holds the file.</param>
/// <param name="PatientKey">Patient key parsed from the file name (see <see cref="Data.PatientKey"/>).</param>
public sealed record CellImage(string Path, string Label, string PatientKey);
