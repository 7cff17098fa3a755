using MalariaML.Data;

namespace MalariaML.Explanations;

/// <summary>A cell, the model's call on it and the Grad-CAM map of that call.</summary>
/// <param name="Source">File path or the name given for in-memory data.</param>
/// <param name="Label">Predicted class name.</param>
/// <param name="Probability">Probability of the positive class.</param>
/// <param name="ExplainedClass">The class the heat map shows evidence for.</param>
/// <param name="Cell">The cell at its own size.</param>
/// <param name="HeatMap">The heat map at the cell's size.</param>
public sealed record CellExplanation(string Source, string Label, double Probability, string ExplainedClass, RgbImage Cell, HeatMap HeatMap)
{
    /// <summary>The heat map over the cell as PNG bytes (see <see cref="HeatMapOverlay"/>).</summary>
    public byte[] OverlayPng(double opacity = 0.6) => HeatMapOverlay.RenderPng(Cell, HeatMap, opacity);
}
