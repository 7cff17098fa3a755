using MalariaML.Data;

namespace MalariaML.Fields;

/// <summary>What <see cref="BoxCells.Export"/> wrote and what it could not use.</summary>
/// <param name="Fields">Fields read.</param>
/// <param name="Parasitized">Parasitized cells written.</param>
/// <param name="Uninfected">Uninfected cells written.</param>
/// <param name="Ignored">Boxes of ignored categories.</param>
/// <param name="Problems">Missing or unusable images and boxes outside their image, each with the reason.</param>
internal sealed record BoxCellExport(int Fields, int Parasitized, int Uninfected, int Ignored, IReadOnlyList<SkippedFile> Problems);
