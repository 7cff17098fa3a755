namespace MalariaML.Splits;

/// <summary>How cells are assigned to training, validation and test.</summary>
public enum SplitStrategy
{
    /// <summary>
    /// No patient has cells in two parts. The default everywhere, because a cell-level split puts cells of one
    /// patient on both sides and overstates accuracy.
    /// </summary>
    Patient,

    /// <summary>Stratified random split of cells, the article's protocol (leaks patients across parts).</summary>
    Cell,
}
