namespace MalariaML.Data;

/// <summary>A cell whose image decoded, with its true size.</summary>
public sealed record ScannedCell(CellImage Cell, int Width, int Height);
