using System.Globalization;
using System.Text.Json;

namespace MalariaML.Fields.Annotations;

/// <summary>
/// Reads box annotations of whole fields in two formats, told apart by their shape: COCO (an object with
/// <c>images</c>, <c>annotations</c> with <c>bbox</c> <c>[x, y, w, h]</c> and <c>categories</c>) and the IML malaria
/// format (an array of <c>{"image_name", "objects": [{"type", "bbox": {"x", "y", "w", "h"}}]}</c>, numbers as strings).
/// </summary>
internal static class FieldAnnotations
{
    /// <summary>Reads an annotation file.</summary>
    /// <param name="path">COCO or IML JSON file.</param>
    /// <param name="categories">Category meanings; default <see cref="CategoryMap.Default"/>.</param>
    /// <exception cref="FieldException">The file cannot be read, is not one of the two formats, names a category the
    /// map does not know, or holds a box with a negative or empty size.</exception>
    public static IReadOnlyList<AnnotatedField> Load(string path, CategoryMap? categories = null)
    {
        categories ??= CategoryMap.Default;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new FieldException(path, $"cannot be read as JSON ({e.Message})", e);
        }

        using (document)
        {
            try
            {
                return document.RootElement.ValueKind switch
                {
                    JsonValueKind.Array => ReadIml(document.RootElement, categories, path),
                    JsonValueKind.Object when document.RootElement.TryGetProperty("images", out _) => ReadCoco(document.RootElement, categories, path),
                    _ => throw new FieldException(path, "neither COCO (an object with 'images', 'annotations', 'categories') nor the IML format (an array of {image_name, objects})"),
                };
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException)
            {
                throw new FieldException(path, $"malformed annotation ({e.Message})", e);
            }
        }
    }

    private static List<AnnotatedField> ReadIml(JsonElement root, CategoryMap categories, string path)
    {
        var fields = new List<AnnotatedField>();
        foreach (var image in root.EnumerateArray())
        {
            var name = image.GetProperty("image_name").GetString() ?? throw new FieldException(path, "an entry has no image_name");
            var boxes = new List<AnnotatedBox>();
            foreach (var o in image.GetProperty("objects").EnumerateArray())
            {
                var type = o.GetProperty("type").GetString() ?? "";
                var b = o.GetProperty("bbox");
                var box = new PixelBox(Number(b, "x"), Number(b, "y"), Number(b, "w"), Number(b, "h"));
                boxes.Add(new AnnotatedBox(Checked(box, name, path), type, Class(categories, type, path)));
            }

            fields.Add(new AnnotatedField(name, boxes));
        }

        return fields;
    }

    private static List<AnnotatedField> ReadCoco(JsonElement root, CategoryMap categories, string path)
    {
        var names = root.TryGetProperty("categories", out var cats)
            ? cats.EnumerateArray().ToDictionary(c => c.GetProperty("id").GetInt64(), c => c.GetProperty("name").GetString() ?? "")
            : [];
        var boxesByImage = new Dictionary<long, List<AnnotatedBox>>();
        var images = root.GetProperty("images").EnumerateArray()
            .Select(i => (Id: i.GetProperty("id").GetInt64(), Name: i.GetProperty("file_name").GetString() ?? "",
                Width: i.TryGetProperty("width", out var w) ? w.GetInt32() : (int?)null,
                Height: i.TryGetProperty("height", out var h) ? h.GetInt32() : (int?)null))
            .ToList();
        var imageNames = images.ToDictionary(i => i.Id, i => i.Name);
        if (root.TryGetProperty("annotations", out var annotations))
        {
            foreach (var a in annotations.EnumerateArray())
            {
                var imageId = a.GetProperty("image_id").GetInt64();
                if (!imageNames.TryGetValue(imageId, out var imageName))
                {
                    throw new FieldException(path, $"an annotation refers to image id {imageId}, which 'images' does not list");
                }

                var categoryId = a.GetProperty("category_id").GetInt64();
                var category = names.TryGetValue(categoryId, out var n) ? n : categoryId.ToString(CultureInfo.InvariantCulture);
                var bbox = a.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                if (bbox.Length != 4)
                {
                    throw new FieldException(path, $"a bbox of image '{imageName}' has {bbox.Length} numbers, not [x, y, w, h]");
                }

                var box = new PixelBox((int)Math.Round(bbox[0]), (int)Math.Round(bbox[1]), (int)Math.Round(bbox[2]), (int)Math.Round(bbox[3]));
                if (!boxesByImage.TryGetValue(imageId, out var list))
                {
                    boxesByImage[imageId] = list = [];
                }

                list.Add(new AnnotatedBox(Checked(box, imageName, path), category, Class(categories, category, path)));
            }
        }

        return images.Select(i => new AnnotatedField(i.Name, boxesByImage.GetValueOrDefault(i.Id) ?? [], i.Width, i.Height)).ToList();
    }

    private static int Number(JsonElement box, string key)
    {
        var v = box.GetProperty(key);
        return v.ValueKind == JsonValueKind.String
            ? (int)Math.Round(double.Parse(v.GetString()!, CultureInfo.InvariantCulture))
            : (int)Math.Round(v.GetDouble());
    }

    private static PixelBox Checked(PixelBox box, string image, string path)
        => box.Width > 0 && box.Height > 0 && box.X >= 0 && box.Y >= 0
            ? box
            : throw new FieldException(path, $"image '{image}' has a box with an impossible geometry (x {box.X}, y {box.Y}, w {box.Width}, h {box.Height})");

    private static BoxClass Class(CategoryMap categories, string category, string path)
        => categories.Classify(category)
           ?? throw new FieldException(path, $"category '{category}' is neither parasitized, uninfected nor ignored in the category map");
}
