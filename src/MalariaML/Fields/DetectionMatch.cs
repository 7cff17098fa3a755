using MalariaML.Fields.Annotations;

namespace MalariaML.Fields;

/// <summary>How the objects found in one field match its annotated boxes.</summary>
/// <param name="Field">Field name.</param>
/// <param name="Boxes">Annotated boxes scored (ignored categories left out).</param>
/// <param name="Matched">Boxes matched by a detection at the IoU threshold.</param>
/// <param name="ParasitizedBoxes">Parasitized boxes.</param>
/// <param name="ParasitizedMatched">Parasitized boxes matched at the (lower) parasitized IoU threshold.</param>
/// <param name="Detections">Objects found (every kind).</param>
/// <param name="UnmatchedDetections">Objects that match no box at the IoU threshold: unannotated cells, or errors.</param>
/// <param name="CountedCells">Whole red cells the segmentation counts.</param>
internal sealed record DetectionMatch(string Field, int Boxes, int Matched, int ParasitizedBoxes, int ParasitizedMatched,
    int Detections, int UnmatchedDetections, int CountedCells)
{
    /// <summary>
    /// Matches boxes to objects greedily, best IoU first, each object to at most one box. An annotation that is not
    /// exhaustive makes the unmatched objects an upper bound on false detections, not a count of them.
    /// </summary>
    public static DetectionMatch Compute(string field, IReadOnlyList<AnnotatedBox> boxes, IReadOnlyList<FieldObject> objects,
        double iou = 0.5, double parasitizedIou = 0.3)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(objects);
        var scored = boxes.Where(b => b.Class != BoxClass.Ignored).ToList();
        var matchedBoxes = Greedy(scored.Select(b => b.Box).ToList(), objects, iou, out var usedObjects);
        var parasitized = scored.Where(b => b.Class == BoxClass.Parasitized).Select(b => b.Box).ToList();
        var parasitizedMatched = Greedy(parasitized, objects, parasitizedIou, out _);
        // Ignored boxes (e.g. 'difficult') are still cells: an object on one is not a false detection.
        var ignored = boxes.Where(b => b.Class == BoxClass.Ignored).Select(b => b.Box).ToList();
        var unmatched = objects.Where((o, i) => !usedObjects.Contains(i) && !ignored.Any(b => b.IoU(o.Box) >= iou)).Count();
        return new DetectionMatch(field, scored.Count, matchedBoxes, parasitized.Count, parasitizedMatched, objects.Count, unmatched,
            objects.Count(o => o.IsCountedCell));
    }

    private static int Greedy(IReadOnlyList<PixelBox> boxes, IReadOnlyList<FieldObject> objects, double threshold, out HashSet<int> usedObjects)
    {
        var pairs = new List<(double IoU, int Box, int Object)>();
        for (var b = 0; b < boxes.Count; b++)
        {
            for (var o = 0; o < objects.Count; o++)
            {
                var iou = boxes[b].IoU(objects[o].Box);
                if (iou >= threshold)
                {
                    pairs.Add((iou, b, o));
                }
            }
        }

        var usedBoxes = new HashSet<int>();
        usedObjects = [];
        foreach (var (_, b, o) in pairs.OrderByDescending(p => p.IoU))
        {
            if (!usedBoxes.Contains(b) && !usedObjects.Contains(o))
            {
                usedBoxes.Add(b);
                usedObjects.Add(o);
            }
        }

        return usedBoxes.Count;
    }
}
