using MalariaML.Data;

namespace MalariaML.Tests;

/// <summary>Locates the real cell images the tests use.</summary>
internal static class TestData
{
    /// <summary>The repository root (the folder holding MalariaML.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The committed sample of real NIH cells: always present.</summary>
    public static string SampleRoot => Path.Combine(RepoRoot, "data", "sample", "cell_images");

    /// <summary>
    /// The larger development set beside the checkout (<c>../shared/data/cell_images</c>), or
    /// <c>MALARIAML_SHARED_DATA</c>; null when neither exists, so tests that need it skip instead of failing.
    /// </summary>
    public static string? SharedRoot
    {
        get
        {
            var candidates = new[]
            {
                Environment.GetEnvironmentVariable("MALARIAML_SHARED_DATA"),
                Path.Combine(RepoRoot, "..", "shared", "data", "cell_images"),
            };
            return candidates.Where(c => !string.IsNullOrEmpty(c)).Select(c => Path.GetFullPath(c!))
                .FirstOrDefault(c => Directory.Exists(Path.Combine(c, "Parasitized")));
        }
    }

    /// <summary>The committed sample as a dataset.</summary>
    public static CellDataset Sample() => CellDataset.Load(SampleRoot);

    /// <summary>A few cells of each class from the sample, in a fixed order.</summary>
    public static IReadOnlyList<CellImage> SampleCells(int perClass)
        => Sample().Cells.GroupBy(c => c.Label).SelectMany(g => g.Take(perClass)).ToList();

    /// <summary>
    /// Decodes a file with the library's decoder at <paramref name="size"/> x <paramref name="size"/> (bilinear) and
    /// returns planar (C, H, W) floats, each byte multiplied by <paramref name="scale"/>.
    /// </summary>
    public static float[] PlanarPixels(string path, int size, float scale)
        => Planar(ImageDecoder.DecodeFile(path, ImageLoadOptions.Square(size)), scale);

    /// <summary>An image as planar (C, H, W) floats, each byte multiplied by <paramref name="scale"/> (ML.NET's ExtractPixels layout).</summary>
    public static float[] Planar(RgbImage image, float scale = 1f / 255f)
    {
        var plane = image.Width * image.Height;
        var chw = new float[3 * plane];
        for (var p = 0; p < plane; p++)
        {
            for (var c = 0; c < 3; c++)
            {
                chw[(c * plane) + p] = image.Pixels[(3 * p) + c] * scale;
            }
        }

        return chw;
    }

    /// <summary>A fresh temporary folder, deleted when disposed.</summary>
    public static TempFolder NewTempFolder() => new();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MalariaML.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MalariaML.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder that deletes itself.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "malariaml-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
