namespace MalariaML.Explanations;

/// <summary>How Grad-CAM explains a cell.</summary>
public sealed record GradCamOptions
{
    /// <summary>
    /// Which call to explain. Default <see cref="ExplainedClass.Predicted"/>: the evidence for what the model said
    /// (for an uninfected call, the gradient of the negated logit), so every cell gets a map.
    /// </summary>
    public ExplainedClass Class { get; init; } = ExplainedClass.Predicted;

    /// <summary>Cells per forward and backward pass. Default 16: the backward pass keeps activations alive.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Opacity of the colour map where the heat is highest, 0 to 1. Default 0.6: the cell stays visible under it.</summary>
    public double OverlayOpacity { get; init; } = 0.6;
}

/// <summary>The class whose evidence a Grad-CAM map shows.</summary>
public enum ExplainedClass
{
    /// <summary>The class the model predicted for the cell.</summary>
    Predicted,

    /// <summary>Always the positive class (Parasitized).</summary>
    Positive,
}
