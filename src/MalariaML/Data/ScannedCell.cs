namespace MalariaML.Data;

/// <summary>A cell whose image decoded, with its true size.</summary>
internal sealed record ScannedCell(CellImage Cell, int Width, int Height);
