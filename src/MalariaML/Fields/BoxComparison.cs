using MalariaML.Fields.Annotations;

namespace MalariaML.Fields;

/// <summary>
/// A screened field against its annotation: how well cells were found (<see cref="Detection"/>) and how the model's
/// calls on the found cells agree with the annotated classes.
/// </summary>
/// <param name="Detection">Boxes matched by objects.</param>
/// <param name="ParasitizedMatched">Parasitized boxes matched by a counted, classified cell.</param>
/// <param name="ParasitizedCalled">Of those, the ones the model called parasitized.</param>
/// <param name="UninfectedMatched">Uninfected boxes matched by a counted, classified cell.</param>
/// <param name="UninfectedCalled">Of those, the ones the model called parasitized (false positives).</param>
/// <param name="AnnotatedParasitemia">Parasitized boxes out of all scored boxes.</param>
/// <param name="PredictedParasitemia">The field's parasitemia as screened.</param>
internal sealed record BoxComparison(DetectionMatch Detection, int ParasitizedMatched, int ParasitizedCalled, int UninfectedMatched,
    int UninfectedCalled, double AnnotatedParasitemia, double PredictedParasitemia)
{
    /// <summary>Compares <paramref name="screening"/> with <paramref name="annotation"/>.</summary>
    /// <param name="screening">The screened field.</param>
    /// <param name="annotation">Its boxes.</param>
    /// <param name="iou">IoU at which a box and an object match. Default 0.5.</param>
    public static BoxComparison Compute(FieldScreening screening, AnnotatedField annotation, double iou = 0.5)
    {
        ArgumentNullException.ThrowIfNull(screening);
        ArgumentNullException.ThrowIfNull(annotation);
        var detection = DetectionMatch.Compute(screening.Field, annotation.Boxes, screening.Segmentation.Objects, iou);
        var classified = screening.Objects.Where(o => o.Probability is not null).ToList();
        int pm = 0, pc = 0, um = 0, uc = 0;
        var used = new HashSet<int>();
        foreach (var box in annotation.Boxes.Where(b => b.Class != BoxClass.Ignored))
        {
            var best = classified.Where(o => !used.Contains(o.Object.Id))
                .Select(o => (o, IoU: o.Object.Box.IoU(box.Box)))
                .Where(m => m.IoU >= iou)
                .OrderByDescending(m => m.IoU)
                .Select(m => m.o)
                .FirstOrDefault();
            if (best is null)
            {
                continue;
            }

            used.Add(best.Object.Id);
            if (box.Class == BoxClass.Parasitized)
            {
                pm++;
                pc += best.IsPositive ? 1 : 0;
            }
            else
            {
                um++;
                uc += best.IsPositive ? 1 : 0;
            }
        }

        var scored = annotation.Boxes.Count(b => b.Class != BoxClass.Ignored);
        var annotated = scored == 0 ? 0 : (double)annotation.Boxes.Count(b => b.Class == BoxClass.Parasitized) / scored;
        return new BoxComparison(detection, pm, pc, um, uc, annotated, screening.Parasitemia);
    }
}
