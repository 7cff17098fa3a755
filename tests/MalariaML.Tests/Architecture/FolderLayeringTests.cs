using System.Text.RegularExpressions;

namespace MalariaML.Tests.Architecture;

/// <summary>
/// The library's folders depend in one direction (README, "which folder may use which"): a folder uses only folders in
/// lower layers, never one beside or above it. Read from the sources, so a new circle fails here rather than in a review.
/// </summary>
public sealed partial class FolderLayeringTests
{
    // Lowest first. A folder may use any folder of a lower layer; folders of one layer do not use each other.
    private static readonly string[][] Layers =
    [
        ["Runtime", "Evaluation"],
        ["Data"],
        ["Preprocessing", "Splits"],
        ["Models"],
        ["Export"],
        ["Inference"],
        ["Training"],
        ["MLNet"],
        ["Explanations", "Fields", "CrossValidation"],
    ];

    private static string Library => Path.Combine(TestData.RepoRoot, "src", "MalariaML");

    [Fact]
    public void Every_folder_of_the_library_has_a_layer()
    {
        var folders = Directory.GetDirectories(Library).Select(d => Path.GetFileName(d))
            .Where(f => f is not ("bin" or "obj" or "buildTransitive")).Order().ToList();
        Assert.Equal(Layers.SelectMany(l => l).Order().ToList(), folders);
    }

    [Fact]
    public void Folders_use_only_lower_layers()
    {
        var files = SourceFiles();
        // A type name declared in exactly one folder is a reference to that folder; names declared in several folders
        // (nested helpers) say nothing about direction and are left out.
        var declaredIn = files.SelectMany(f => Declaration().Matches(f.Code).Select(m => (Name: m.Groups[1].Value, f.Folder)))
            .GroupBy(d => d.Name).Where(g => g.Select(d => d.Folder).Distinct().Count() == 1)
            .ToDictionary(g => g.Key, g => g.First().Folder);
        Assert.True(declaredIn.Count > 150, $"only {declaredIn.Count} type names found: the source scan is broken");

        var layerOf = Layers.SelectMany((folders, layer) => folders.Select(f => (f, layer))).ToDictionary(x => x.f, x => x.layer);
        var violations = new List<string>();
        foreach (var file in files.Where(f => f.Folder is not null))
        {
            var used = Identifier().Matches(file.Code).Select(m => m.Value).Distinct()
                .Where(name => declaredIn.TryGetValue(name, out var folder) && folder is not null && folder != file.Folder
                    && layerOf[folder] >= layerOf[file.Folder!]);
            violations.AddRange(used.Select(name => $"{file.Path} ({file.Folder}) uses {name} ({declaredIn[name]})"));
        }

        Assert.True(violations.Count == 0, "dependencies against the layering:\n" + string.Join("\n", violations));
    }

    private static List<(string Path, string? Folder, string Code)> SourceFiles()
        => Directory.EnumerateFiles(Library, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Library, path))
            .Where(rel => !rel.StartsWith("bin", StringComparison.Ordinal) && !rel.StartsWith("obj", StringComparison.Ordinal))
            .Select(rel => (rel, rel.Contains(Path.DirectorySeparatorChar) ? rel.Split(Path.DirectorySeparatorChar)[0] : null,
                // Comments and string literals name types without using them.
                StringLiteral().Replace(Comment().Replace(File.ReadAllText(Path.Combine(Library, rel)), ""), "\"\"")))
            .Select(x => (x.rel, (string?)x.Item2, x.Item3))
            .ToList();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(?:struct\s+|class\s+)?([A-Z]\w*)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"//.*")]
    private static partial Regex Comment();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();
}
