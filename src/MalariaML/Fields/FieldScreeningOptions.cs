namespace MalariaML.Fields;

/// <summary>How whole fields are screened with a model.</summary>
public sealed record FieldScreeningOptions
{
    /// <summary>How cells are found. Default: <see cref="FieldSegmentationOptions"/>' defaults.</summary>
    public FieldSegmentationOptions Segmentation { get; init; } = new();

    /// <summary>
    /// Whether each field's cells are moved to the colour statistics of the model's training cells (Reinhard transfer
    /// in Lab) before they are classified. Default <c>false</c>: on the one other-lab set measured it did not help
    /// (see README, "Screening whole fields").
    /// </summary>
    public bool NormalizeColor { get; init; }

    /// <summary>
    /// Fewer red cells than this for a patient and the patient's result is marked as resting on too few cells. The WHO
    /// thin-film protocol counts parasites against thousands of red cells. Default 2,000.
    /// </summary>
    public int MinCells { get; init; } = 2000;
}
