using System.Text.Json;
using System.Text.Json.Serialization;
using MalariaML.Data;

namespace MalariaML.Splits;

/// <summary>
/// A split of cells into training, validation and test parts. Saved as JSON with paths relative to the dataset folder,
/// so that several models are compared on exactly the same cells, on any machine that has the same folder.
/// </summary>
public sealed record DataSplit(
    SplitStrategy Strategy,
    int Seed,
    SplitRatios Ratios,
    IReadOnlyList<CellImage> Train,
    IReadOnlyList<CellImage> Validation,
    IReadOnlyList<CellImage> Test)
{
    /// <summary>Current version of the JSON layout written by <see cref="Save"/>.</summary>
    public const int FormatVersion = 1;

    /// <summary>Cells of one part.</summary>
    public IReadOnlyList<CellImage> this[SplitPart part] => part switch
    {
        SplitPart.Train => Train,
        SplitPart.Validation => Validation,
        SplitPart.Test => Test,
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, null),
    };

    /// <summary>Writes the split as JSON (atomically: a temporary file, then a rename).</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="datasetRoot">Folder the cell paths are made relative to.</param>
    public void Save(string path, string datasetRoot)
    {
        var root = Path.GetFullPath(datasetRoot);
        var file = new SplitFile
        {
            FormatVersion = FormatVersion,
            Strategy = Strategy.ToString().ToLowerInvariant(),
            Seed = Seed,
            Ratios = [Ratios.Train, Ratios.Validation, Ratios.Test],
            Train = Train.Select(c => Entry.Of(c, root)).ToList(),
            Validation = Validation.Select(c => Entry.Of(c, root)).ToList(),
            Test = Test.Select(c => Entry.Of(c, root)).ToList(),
        };
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(file, JsonOptions));
    }

    /// <summary>Reads a split written by <see cref="Save"/>, resolving paths against <paramref name="datasetRoot"/>.</summary>
    /// <exception cref="DatasetException">The file is not a split, or comes from a newer format version.</exception>
    public static DataSplit Load(string path, string datasetRoot)
    {
        var root = Path.GetFullPath(datasetRoot);
        SplitFile? file;
        try
        {
            file = JsonSerializer.Deserialize<SplitFile>(File.ReadAllBytes(path), JsonOptions);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new DatasetException($"{path}: not a readable split file ({e.Message})");
        }

        if (file is null || file.Ratios is not { Length: 3 } || file.Train is null || file.Validation is null || file.Test is null)
        {
            throw new DatasetException($"{path}: not a split file (missing ratios or parts)");
        }

        if (file.FormatVersion > FormatVersion)
        {
            throw new DatasetException($"{path}: split format version {file.FormatVersion} is newer than this library supports ({FormatVersion})");
        }

        if (!Enum.TryParse<SplitStrategy>(file.Strategy, ignoreCase: true, out var strategy))
        {
            throw new DatasetException($"{path}: unknown split strategy '{file.Strategy}'");
        }

        return new DataSplit(strategy, file.Seed, new SplitRatios(file.Ratios[0], file.Ratios[1], file.Ratios[2]),
            file.Train.Select(e => e.ToCell(root)).ToList(),
            file.Validation.Select(e => e.ToCell(root)).ToList(),
            file.Test.Select(e => e.ToCell(root)).ToList());
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    private sealed class SplitFile
    {
        public int FormatVersion { get; set; }
        public string Strategy { get; set; } = "";
        public int Seed { get; set; }
        public double[]? Ratios { get; set; }
        public List<Entry>? Train { get; set; }
        public List<Entry>? Validation { get; set; }
        public List<Entry>? Test { get; set; }
    }

    private sealed class Entry
    {
        public string Path { get; set; } = "";
        public string Label { get; set; } = "";
        public string Patient { get; set; } = "";

        public static Entry Of(CellImage c, string root) => new()
        {
            Path = System.IO.Path.GetRelativePath(root, c.Path).Replace('\\', '/'),
            Label = c.Label,
            Patient = c.PatientKey,
        };

        public CellImage ToCell(string root) => new(System.IO.Path.GetFullPath(System.IO.Path.Combine(root, Path)), Label, Patient);
    }
}
