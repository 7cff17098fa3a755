namespace MalariaML.Server.Uploads;

/// <summary>One cell image as the client sent it.</summary>
/// <param name="File">Display name: the client's file name, or <c>archive.zip/folder/cell.png</c>. Never used as a path.</param>
/// <param name="Patient">The zip folder holding the cell, or the patient key of its file name.</param>
/// <param name="Data">Encoded image bytes.</param>
public sealed record UploadedCell(string File, string Patient, byte[] Data)
{
    /// <summary>For a cell cut from a field: its object number in the field (the <c>cell</c> column of the field-cells CSV).</summary>
    public int? FieldCell { get; init; }
}

/// <summary>A file the server could not use, and why.</summary>
/// <param name="File">Display name.</param>
/// <param name="Reason">Why it was left out.</param>
public sealed record FileError(string File, string Reason);

/// <summary>What one request carried: usable-looking cells (field crops among them) and the files left out.</summary>
public sealed record Upload(IReadOnlyList<UploadedCell> Cells, IReadOnlyList<FileError> Errors, IReadOnlyList<UploadedField> Fields);

/// <summary>A whole-field photo cut into cells.</summary>
/// <param name="File">Display name of the field photo.</param>
/// <param name="Patient">The zip folder holding it, or the patient key of its file name.</param>
/// <param name="Data">The photo as sent (decoded again to draw its overlay once its cells are scored).</param>
/// <param name="Cut">Its segmentation and the crops of its counted cells.</param>
/// <param name="FirstCell">Position of its first crop in <see cref="Upload.Cells"/>; the crops follow in order.</param>
public sealed record UploadedField(string File, string Patient, byte[] Data, MalariaML.Fields.FieldCut Cut, int FirstCell);
