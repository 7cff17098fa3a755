using MalariaML.Data;
using MalariaML.Fields.Annotations;

namespace MalariaML.Fields;

/// <summary>
/// Turns fields annotated with boxes into a class-per-folder cell set (<c>Parasitized/</c>, <c>Uninfected/</c>) cut
/// with the same cropper as screening, so a lab with its own parasite, stain or camera can train on its own slides.
/// Written names keep the field's name (<c>FIELD_cell_N.png</c>), so patient-aware splits group a field's cells.
/// </summary>
internal static class BoxCells
{
    /// <summary>Writes the cells of <paramref name="fields"/> under <paramref name="outputDir"/>.</summary>
    /// <param name="fields">Annotations (see <see cref="FieldAnnotations.Load"/>).</param>
    /// <param name="fieldsDir">Folder the annotations' image names are relative to.</param>
    /// <param name="outputDir">Folder to write the class folders into.</param>
    /// <param name="options">Crop settings.</param>
    /// <param name="progress">Receives fields done.</param>
    /// <param name="cancellationToken">Stops between fields.</param>
    public static BoxCellExport Export(IReadOnlyList<AnnotatedField> fields, string fieldsDir, string outputDir, BoxCellOptions? options = null,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        options ??= new BoxCellOptions();
        var segmenter = new FieldSegmenter(options.Segmentation);
        var problems = new List<SkippedFile>();
        int read = 0, parasitized = 0, uninfected = 0, ignored = 0;
        for (var f = 0; f < fields.Count; f++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new WorkProgress("cutting cells", f, fields.Count));
            var field = fields[f];
            var path = Path.Combine(fieldsDir, field.ImageName);
            RgbImage image;
            try
            {
                image = ImageDecoder.DecodeFile(path, options.Segmentation.MaxImagePixels);
            }
            catch (InvalidImageException e)
            {
                problems.Add(new SkippedFile(path, File.Exists(path) ? e.Reason : "image not found"));
                continue;
            }

            read++;
            var segmentation = segmenter.Segment(image, path);
            var boxes = field.Boxes.Where(b => b.Class != BoxClass.Ignored).ToList();
            ignored += field.Boxes.Count - boxes.Count;
            var diameter = segmentation.CellDiameter > 0 ? segmentation.CellDiameter : MedianSide(boxes);
            var cropper = diameter > 0 ? new CellCropper(diameter, options.CellSize) : null;
            var stem = Path.GetFileNameWithoutExtension(field.ImageName);
            for (var i = 0; i < field.Boxes.Count; i++)
            {
                var box = field.Boxes[i];
                if (box.Class == BoxClass.Ignored)
                {
                    continue;
                }

                // Annotators draw a border cell's box past the edge; only a box with nothing inside the image is wrong.
                var clipped = Clip(box.Box, image.Width, image.Height);
                if (clipped is null)
                {
                    problems.Add(new SkippedFile(path, $"box {i + 1} ({box.Box.X}, {box.Box.Y}, {box.Box.Width}x{box.Box.Height}) lies outside the {image.Width}x{image.Height} image"));
                    continue;
                }

                var outline = segmentation.Objects
                    .Select(o => (o, IoU: o.Box.IoU(clipped.Value)))
                    .Where(m => m.IoU >= options.OutlineIoU)
                    .OrderByDescending(m => m.IoU)
                    .Select(m => m.o.Contour)
                    .FirstOrDefault() ?? CellCropper.Ellipse(clipped.Value);
                var crop = cropper!.Crop(image, outline);
                var folder = box.Class == BoxClass.Parasitized ? "Parasitized" : "Uninfected";
                AtomicFile.WriteAllBytes(Path.Combine(outputDir, folder, $"{stem}_cell_{i + 1}.png"), PngFile.Encode(crop));
                if (box.Class == BoxClass.Parasitized)
                {
                    parasitized++;
                }
                else
                {
                    uninfected++;
                }
            }

        }

        progress?.Report(new WorkProgress("cutting cells", fields.Count, fields.Count));
        return new BoxCellExport(read, parasitized, uninfected, ignored, problems);
    }

    private static PixelBox? Clip(PixelBox box, int width, int height)
    {
        int left = Math.Max(0, box.X), top = Math.Max(0, box.Y);
        int right = Math.Min(width, box.X + box.Width), bottom = Math.Min(height, box.Y + box.Height);
        return right - left >= 2 && bottom - top >= 2 ? new PixelBox(left, top, right - left, bottom - top) : null;
    }

    private static double MedianSide(IReadOnlyList<AnnotatedBox> boxes)
    {
        var sides = boxes.Select(b => (b.Box.Width + b.Box.Height) / 2.0).Order().ToList();
        return sides.Count == 0 ? 0 : sides[sides.Count / 2];
    }
}
