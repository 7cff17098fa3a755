using MalariaML.Evaluation;

namespace MalariaML.Fields;

/// <summary>The result of screening one field: every object with its call, and the field's parasitemia.</summary>
/// <param name="Field">Field name (file name).</param>
/// <param name="Patient">Patient the field belongs to.</param>
/// <param name="Segmentation">Cells and other objects found.</param>
/// <param name="Objects">Every object with its call, in the order of <see cref="FieldSegmentation.Objects"/>.</param>
public sealed record FieldScreening(string Field, string Patient, FieldSegmentation Segmentation, IReadOnlyList<ScreenedObject> Objects)
{
    /// <summary>Red cells counted.</summary>
    public int Cells => Objects.Count(o => o.Probability is not null);

    /// <summary>Red cells called parasitized.</summary>
    public int Parasitized => Objects.Count(o => o.IsPositive);

    /// <summary>Share of counted cells called parasitized (0 when none were counted).</summary>
    public double Parasitemia => Cells == 0 ? 0 : (double)Parasitized / Cells;

    /// <summary>95% Wilson interval of <see cref="Parasitemia"/>.</summary>
    public (double Low, double High) Interval => WilsonInterval.Compute(Parasitized, Cells);
}
