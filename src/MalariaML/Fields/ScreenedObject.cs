namespace MalariaML.Fields;

/// <summary>One object of a screened field and the model's call on it.</summary>
/// <param name="Object">The object as segmented.</param>
/// <param name="Probability">Probability of the positive class, or <c>null</c> for objects that are not counted.</param>
/// <param name="Label">Predicted class name, or <c>excluded</c>.</param>
/// <param name="IsPositive">Whether the model called the cell positive.</param>
public sealed record ScreenedObject(FieldObject Object, double? Probability, string Label, bool IsPositive)
{
    /// <summary>The label of objects that are not counted.</summary>
    public const string Excluded = "excluded";
}
