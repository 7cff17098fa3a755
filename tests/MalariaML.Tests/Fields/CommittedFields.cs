using System.Text.Json;
using MalariaML.Fields;

namespace MalariaML.Tests.Fields;

/// <summary>
/// Writes the composed fields the repository commits (data/fields/: the Fields sample's input and the README's overlay)
/// with their exhaustive boxes as COCO. Run on purpose only:
/// <c>MALARIAML_WRITE_FIELDS=data/fields dotnet test tests/MalariaML.Tests -c Release --filter "FullyQualifiedName~CommittedFields"</c>.
/// </summary>
public class CommittedFields
{
    [SkippableFact]
    [Trait("Category", "Explicit")]
    public void Write()
    {
        var target = Environment.GetEnvironmentVariable("MALARIAML_WRITE_FIELDS");
        Skip.If(string.IsNullOrEmpty(target), "set MALARIAML_WRITE_FIELDS to the folder to write the fields to");
        target = Path.GetFullPath(target!, TestData.RepoRoot);
        var images = new List<object>();
        var annotations = new List<object>();
        var cells = SegmentationTests.SampleCells();
        for (var i = 0; i < 3; i++)
        {
            var field = SyntheticField.Compose(cells, 1280, 960, 64, seed: 100 + i);
            var name = i < 2 ? $"patient-A/A-field-{i + 1}.jpg" : "patient-B/B-field-1.jpg";

            var path = Path.Combine(target, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, field.Encode(".jpg"));
            images.Add(new { id = i + 1, file_name = name, width = 1280, height = 960 });
            for (var c = 0; c < field.Cells.Count; c++)
            {
                var b = field.Cells[c];
                annotations.Add(new { id = annotations.Count + 1, image_id = i + 1, category_id = field.Labels[c] == "Parasitized" ? 1 : 2, bbox = new[] { b.X, b.Y, b.Width, b.Height } });
            }

            var segmentation = new FieldSegmenter().Segment(field.Image);
            var overlay = FieldOverlay.RenderPng(field.Image, segmentation.Objects.Select(o => (o, o.IsCountedCell ? (double?)0 : null)), 0.5);
            File.WriteAllBytes(Path.Combine(TestData.RepoRoot, "artifacts", $"synthetic-overlay-{i + 1}.png"), overlay);
        }

        var coco = new { images, annotations, categories = new[] { new { id = 1, name = "parasitized" }, new { id = 2, name = "uninfected" } } };
        File.WriteAllText(Path.Combine(target, "annotations.json"), JsonSerializer.Serialize(coco, new JsonSerializerOptions { WriteIndented = true }));
    }
}
