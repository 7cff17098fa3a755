using System.CommandLine;
using MalariaML.Data;
using MalariaML.Splits;

namespace MalariaML.Cli.Commands;

/// <summary>The cells a command works on: one part of a saved split, or every usable cell of a folder.</summary>
internal static class CellSelection
{
    public static Option<string?> SplitOption() => new("--split") { Description = "Split file (from 'malaria data split' or 'malaria train')." };

    public static Option<SplitPart> PartOption() => new("--part") { Description = "Part of the split to use.", DefaultValueFactory = _ => SplitPart.Test };

    public static (CellDataset Dataset, IReadOnlyList<CellImage> Cells) Select(string dataDir, string? splitPath, SplitPart part, string positiveClass)
    {
        var dataset = CellDataset.Load(dataDir, new DatasetOptions { PositiveClass = positiveClass });
        if (splitPath is not null)
        {
            return (dataset, DataSplit.Load(splitPath, dataset.Root)[part]);
        }

        return (dataset, dataset.Cells);
    }
}
