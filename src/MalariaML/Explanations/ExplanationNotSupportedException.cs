namespace MalariaML.Explanations;

/// <summary>The model cannot be explained with Grad-CAM (the ML.NET baseline has no gradients).</summary>
internal sealed class ExplanationNotSupportedException : MalariaMLException
{
    /// <summary>Creates the error for a model kind.</summary>
    /// <param name="modelKind">Model kind from the model file.</param>
    /// <param name="reason">Why it cannot be explained.</param>
    public ExplanationNotSupportedException(string modelKind, string reason)
        : base($"{modelKind}: no Grad-CAM for this model: {reason}")
    {
        ModelKind = modelKind;
    }

    /// <summary>The model kind that cannot be explained.</summary>
    public string ModelKind { get; }
}
