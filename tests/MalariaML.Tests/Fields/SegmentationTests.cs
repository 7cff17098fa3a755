using MalariaML.Data;
using MalariaML.Fields;
using MalariaML.Fields.Annotations;

namespace MalariaML.Tests.Fields;

public class SegmentationTests
{
    internal static IReadOnlyList<string> SampleCells()
        => TestData.Sample().Cells.Select(c => c.Path).OrderBy(p => p, StringComparer.Ordinal).ToList();

    [Theory]
    [InlineData(1280, 960, 64, 1)]
    [InlineData(1280, 960, 64, 2)]
    [InlineData(900, 700, 48, 3)]
    public void Synthetic_fields_are_counted_within_three_percent_and_every_cell_is_found(int width, int height, double diameter, int seed)
    {
        var field = SyntheticField.Compose(SampleCells(), width, height, diameter, seed);
        var result = new FieldSegmenter().Segment(field.Image);

        Assert.InRange(result.CellDiameter, 0.8 * diameter, 1.2 * diameter);
        var counted = result.CountedCells.Count();
        var error = Math.Abs(counted - field.Cells.Count) / (double)field.Cells.Count;
        Assert.True(error <= 0.03, $"counted {counted} of {field.Cells.Count} cells ({error:P1} off)");
        var boxes = field.Cells.Select(b => new AnnotatedBox(b, "red blood cell", BoxClass.Uninfected)).ToList();
        var match = DetectionMatch.Compute("synthetic", boxes, result.Objects);
        Assert.True(match.Matched >= 0.95 * match.Boxes, $"{match.Matched} of {match.Boxes} cells found at IoU 0.5");
    }

    [Fact]
    public void The_white_cell_and_the_scale_bar_are_found_and_not_counted()
    {
        var field = SyntheticField.Compose(SampleCells(), 1280, 960, 64, seed: 1);
        var result = new FieldSegmenter().Segment(field.Image);

        var white = result.Objects.Where(o => o.Box.IoU(field.WhiteCell) > 0.3).ToList();
        Assert.NotEmpty(white);
        Assert.All(white, o => Assert.Equal(FieldObjectKind.WhiteBloodCell, o.Kind));
        var bar = Assert.Single(result.Objects, o => o.Box.IoU(field.ScaleBar) > 0.3);
        Assert.Equal(FieldObjectKind.ScaleBar, bar.Kind);
        Assert.DoesNotContain(result.CountedCells, o => o.Box.IoU(field.WhiteCell) > 0.3 || o.Box.IoU(field.ScaleBar) > 0.3);
    }

    [Fact]
    public void A_given_diameter_is_used_instead_of_the_estimate()
    {
        var field = SyntheticField.Compose(SampleCells(), 640, 480, 40, seed: 4);
        var estimated = new FieldSegmenter().Segment(field.Image);
        var given = new FieldSegmenter(new FieldSegmentationOptions { CellDiameter = 40 }).Segment(field.Image);

        Assert.True(estimated.DiameterEstimated);
        Assert.False(given.DiameterEstimated);
        Assert.Equal(40, given.CellDiameter);
    }

    [Fact]
    public void A_blank_field_has_no_cells()
    {
        // Slide background alone, with a faint stripe pattern as a camera's fixed-pattern noise.
        var withoutMarks = new RgbImage(800, 600, new byte[800 * 600 * 3]);
        for (var i = 0; i < withoutMarks.Pixels.Length; i += 3)
        {
            withoutMarks.Pixels[i] = 238;
            withoutMarks.Pixels[i + 1] = (byte)(232 + (i / 3 % 5) - 2);
            withoutMarks.Pixels[i + 2] = 228;
        }

        var result = new FieldSegmenter().Segment(withoutMarks);

        Assert.True(result.Objects.Count == 0, $"{result.Objects.Count} objects, first {result.Objects.FirstOrDefault()?.Box}, diameter {result.CellDiameter}");
    }

    [Fact]
    public void A_grayscale_field_is_segmented()
    {
        var field = SyntheticField.Compose(SampleCells(), 1280, 960, 64, seed: 6);
        var grey = field.Image.Pixels.ToArray();
        for (var i = 0; i < grey.Length; i += 3)
        {
            var v = (byte)((grey[i] * 299 + grey[i + 1] * 587 + grey[i + 2] * 114) / 1000);
            grey[i] = grey[i + 1] = grey[i + 2] = v;
        }

        var result = new FieldSegmenter().Segment(new RgbImage(field.Image.Width, field.Image.Height, grey));

        var counted = result.CountedCells.Count();
        Assert.InRange(counted, 0.9 * field.Cells.Count, 1.1 * field.Cells.Count);
    }

    [Fact]
    public void A_field_too_small_for_a_cell_is_refused_with_its_name()
    {
        var e = Assert.Throws<FieldException>(() => new FieldSegmenter().Segment(new RgbImage(8, 8, new byte[8 * 8 * 3]), "tiny.png"));
        Assert.Contains("tiny.png", e.Message);
    }
}
