using static TorchSharp.torch;

namespace MalariaML.Training;

/// <summary>
/// Examples the training loop can batch: decoded images, or cached features. Inputs are formed per batch, so the
/// whole set never has to sit in memory as floats.
/// </summary>
internal interface IBatchSource
{
    /// <summary>Number of examples.</summary>
    int Count { get; }

    /// <summary>Whether example <paramref name="index"/> belongs to the positive class.</summary>
    bool IsPositive(int index);

    /// <summary>Forms the input tensor for the examples at <paramref name="indices"/>; the caller disposes it.</summary>
    /// <param name="indices">Examples of the batch.</param>
    /// <param name="augment">Random generator for augmentation; null for none (validation, inference).</param>
    /// <param name="device">Where the tensor goes.</param>
    Tensor Inputs(ReadOnlySpan<int> indices, Random? augment, Device device);
}
