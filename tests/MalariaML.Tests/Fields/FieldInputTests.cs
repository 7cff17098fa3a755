using System.Text;
using MalariaML.Data;
using MalariaML.Fields;
using MalariaML.Fields.Annotations;

namespace MalariaML.Tests.Fields;

public class FieldInputTests
{
    [Fact]
    public void Unusable_field_files_are_refused_with_their_reason()
    {
        using var folder = TestData.NewTempFolder();
        var empty = Path.Combine(folder.Path, "empty.jpg");
        File.WriteAllBytes(empty, []);
        var text = Path.Combine(folder.Path, "notes.png");
        File.WriteAllText(text, "not an image");
        var huge = Path.Combine(folder.Path, "huge.png");
        File.WriteAllBytes(huge, PngHeader(100_000, 100_000));

        var options = new FieldSegmentationOptions();
        Assert.Contains("empty", Refusal(empty, options));
        Assert.Contains("not a decodable image", Refusal(text, options));
        Assert.Contains("over the limit", Refusal(huge, options));
    }

    [Fact]
    public void Iml_and_coco_annotations_read_the_same_boxes()
    {
        using var folder = TestData.NewTempFolder();
        var iml = Path.Combine(folder.Path, "iml.json");
        File.WriteAllText(iml, """
            [{"image_name": "a.jpg", "objects": [
              {"type": "red blood cell", "bbox": {"x": "10", "y": "20", "h": "30", "w": "40"}},
              {"type": "ring", "bbox": {"x": "100", "y": "120", "h": "33", "w": "44"}},
              {"type": "difficult", "bbox": {"x": "5", "y": "6", "h": "7", "w": "8"}}]}]
            """);
        var coco = Path.Combine(folder.Path, "coco.json");
        File.WriteAllText(coco, """
            {"images": [{"id": 7, "file_name": "a.jpg", "width": 640, "height": 480}],
             "annotations": [{"id": 1, "image_id": 7, "category_id": 2, "bbox": [10, 20, 40, 30]},
                             {"id": 2, "image_id": 7, "category_id": 1, "bbox": [100, 120, 44, 33]},
                             {"id": 3, "image_id": 7, "category_id": 3, "bbox": [5, 6, 8, 7]}],
             "categories": [{"id": 1, "name": "ring"}, {"id": 2, "name": "red blood cell"}, {"id": 3, "name": "difficult"}]}
            """);

        var a = Assert.Single(FieldAnnotations.Load(iml));
        var b = Assert.Single(FieldAnnotations.Load(coco));

        Assert.Equal(a.Boxes.Select(x => (x.Box, x.Class)), b.Boxes.Select(x => (x.Box, x.Class)));
        Assert.Equal([BoxClass.Uninfected, BoxClass.Parasitized, BoxClass.Ignored], a.Boxes.Select(x => x.Class));
        Assert.Equal(640, b.Width);
    }

    [Fact]
    public void An_unknown_category_is_an_error_naming_it()
    {
        using var folder = TestData.NewTempFolder();
        var path = Path.Combine(folder.Path, "a.json");
        File.WriteAllText(path, """[{"image_name": "a.jpg", "objects": [{"type": "banana", "bbox": {"x": "1", "y": "1", "h": "3", "w": "4"}}]}]""");

        var e = Assert.Throws<FieldException>(() => FieldAnnotations.Load(path));
        Assert.Contains("banana", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void From_boxes_writes_annotated_cells_and_reports_a_missing_image_and_a_box_outside_its_image()
    {
        using var folder = TestData.NewTempFolder();
        var field = SyntheticField.Compose(SegmentationTests.SampleCells(), 1000, 760, 60, seed: 8);
        File.WriteAllBytes(Path.Combine(folder.Path, "f1.png"), field.Encode(".png"));
        var boxes = field.Cells.Select((b, i) => new AnnotatedBox(b, field.Labels[i], field.Labels[i] == "Parasitized" ? BoxClass.Parasitized : BoxClass.Uninfected)).ToList();
        boxes.Add(new AnnotatedBox(new PixelBox(1100, 800, 60, 60), "Uninfected", BoxClass.Uninfected));
        // A border cell's box drawn past the edge is clipped and kept.
        boxes.Add(new AnnotatedBox(new PixelBox(970, 700, 60, 90), "Uninfected", BoxClass.Uninfected));
        var annotations = new[] { new AnnotatedField("f1.png", boxes), new AnnotatedField("missing.png", boxes.Take(2).ToList()) };
        var output = Path.Combine(folder.Path, "cells");

        var export = BoxCells.Export(annotations, folder.Path, output);

        Assert.Equal(1, export.Fields);
        Assert.Equal(field.Labels.Count(l => l == "Parasitized"), export.Parasitized);
        Assert.Equal(field.Labels.Count(l => l == "Uninfected") + 1, export.Uninfected);
        Assert.Contains(export.Problems, p => p.Path.EndsWith("missing.png") && p.Reason == "image not found");
        Assert.Contains(export.Problems, p => p.Reason.Contains("outside the 1000x760 image"));
        var written = Directory.GetFiles(output, "*.png", SearchOption.AllDirectories);
        Assert.Equal(export.Parasitized + export.Uninfected, written.Length);
        // Names keep the field, so that the patient key groups a field's cells.
        Assert.All(written, f => Assert.Equal("f1", MalariaML.Data.PatientKey.Parse(f)));
        // Cut like the NIH crops: black corners around the cell, a cell of 60 px scaled to about 130 px.
        var crop = ImageDecoder.DecodeFile(written[0]);
        Assert.Equal(0, crop.Pixels[0] + crop.Pixels[1] + crop.Pixels[2]);
        Assert.InRange((crop.Width + crop.Height) / 2.0, 100, 170);
    }

    private static string Refusal(string path, FieldSegmentationOptions options)
    {
        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.DecodeFile(path, options.MaxImagePixels));
        Assert.Equal(path, e.Source);
        return e.Reason;
    }

    /// <summary>A real PNG whose header chunk (CRC recomputed) claims the given size.</summary>
    private static byte[] PngHeader(int width, int height)
    {
        var png = File.ReadAllBytes(SegmentationTests.SampleCells()[0]);
        BigEndian(width).CopyTo(png, 16);
        BigEndian(height).CopyTo(png, 20);
        BigEndian((int)Robustness.CorruptImageCorpus.Crc32("IHDR", png.AsSpan(16, 13))).CopyTo(png, 29);
        return png;
    }

    private static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
