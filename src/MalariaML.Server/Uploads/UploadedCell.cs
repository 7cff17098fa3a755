namespace MalariaML.Server.Uploads;

/// <summary>One cell image as the client sent it.</summary>
/// <param name="File">Display name: the client's file name, or <c>archive.zip/folder/cell.png</c>. Never used as a path.</param>
/// <param name="Patient">The zip folder holding the cell, or the patient key of its file name.</param>
/// <param name="Data">Encoded image bytes.</param>
public sealed record UploadedCell(string File, string Patient, byte[] Data);

/// <summary>A file the server could not use, and why.</summary>
/// <param name="File">Display name.</param>
/// <param name="Reason">Why it was left out.</param>
public sealed record FileError(string File, string Reason);

/// <summary>What one request carried: usable-looking cells and the files left out.</summary>
public sealed record Upload(IReadOnlyList<UploadedCell> Cells, IReadOnlyList<FileError> Errors, IReadOnlyList<FieldOverlay> Fields);

/// <summary>A whole-field photo cut into cells, with its overlay.</summary>
/// <param name="File">Display name of the field photo.</param>
/// <param name="OverlayPng">The field with its cells outlined.</param>
public sealed record FieldOverlay(string File, byte[]? OverlayPng);
