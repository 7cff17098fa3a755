using MalariaML.Data;
using MalariaML.Fields;
using MalariaML.Fields.Annotations;

namespace MalariaML.Tests.Fields;

/// <summary>
/// The 45 real IML fields in ../shared/fields (another lab, another species, annotations not exhaustive). Skipped where
/// that folder is absent; the images never enter the repository.
/// </summary>
public class RealFieldTests
{
    private static string? FieldsRoot
    {
        get
        {
            var root = Path.GetFullPath(Path.Combine(TestData.RepoRoot, "..", "shared", "fields"));
            return File.Exists(Path.Combine(root, "annotations.json")) ? root : null;
        }
    }

    [SkippableFact]
    public void The_annotated_cells_of_the_real_fields_are_found()
    {
        Skip.If(FieldsRoot is null, "../shared/fields is absent");
        var segmenter = new FieldSegmenter();
        var matches = FieldAnnotations.Load(Path.Combine(FieldsRoot!, "annotations.json"))
            .Select(f => DetectionMatch.Compute(f.ImageName, f.Boxes,
                segmenter.Segment(ImageDecoder.DecodeFile(Path.Combine(FieldsRoot!, "images", f.ImageName)), f.ImageName).Objects))
            .ToList();

        var recall = (double)matches.Sum(m => m.Matched) / matches.Sum(m => m.Boxes);
        // The target is 0.93; measured 0.9301 (README). A little slack below it, so that a change that loses
        // cells fails here while a different OpenCV build's rounding does not.
        Assert.True(recall >= 0.925, $"box recall at IoU 0.5: {recall:F4}");
        Assert.Equal(matches.Sum(m => m.ParasitizedBoxes), matches.Sum(m => m.ParasitizedMatched));
        // The boxes are not exhaustive (a field may have twice as many cells as boxes), so only a lower bound holds.
        Assert.All(matches, m => Assert.True(m.CountedCells >= 0.5 * m.Boxes, $"{m.Field}: {m.CountedCells} cells counted, {m.Boxes} boxes"));
    }
}
