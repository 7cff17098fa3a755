namespace MalariaML.Splits;

/// <summary>One of the three parts of a split.</summary>
public enum SplitPart
{
    /// <summary>Cells the model learns from.</summary>
    Train,

    /// <summary>Cells used to choose the epoch, learning rate and threshold.</summary>
    Validation,

    /// <summary>Cells held out for the final, honest measurement.</summary>
    Test,
}
