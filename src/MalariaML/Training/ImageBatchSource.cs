using MalariaML.Preprocessing;
using static TorchSharp.torch;

namespace MalariaML.Training;

/// <summary>Decoded cell images (kept as bytes) as training examples, augmented on the fly when asked.</summary>
public sealed class ImageBatchSource : IBatchSource
{
    private readonly IReadOnlyList<RgbImage> _images;
    private readonly bool[] _positive;
    private readonly ImageAugmentation? _augmentation;

    /// <summary>Creates a source over images and their labels.</summary>
    /// <param name="images">Decoded images, all of one size.</param>
    /// <param name="positive">Label of each image (true = positive class).</param>
    /// <param name="augmentation">Augmentation used when <see cref="Inputs"/> gets a generator; null for none.</param>
    public ImageBatchSource(IReadOnlyList<RgbImage> images, IReadOnlyList<bool> positive, ImageAugmentation? augmentation = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(positive);
        if (images.Count != positive.Count)
        {
            throw new ArgumentException($"{images.Count} images but {positive.Count} labels");
        }

        _images = images;
        _positive = positive.ToArray();
        _augmentation = augmentation;
    }

    /// <inheritdoc/>
    public int Count => _images.Count;

    /// <inheritdoc/>
    public bool IsPositive(int index) => _positive[index];

    /// <inheritdoc/>
    public Tensor Inputs(ReadOnlySpan<int> indices, Random? augment, Device device)
    {
        var batch = CellImageLoader.ToTensor(_images, indices, device, channelsLast: true);
        if (augment is null || _augmentation is null)
        {
            return batch;
        }

        using (batch)
        {
            return Augmenter.Apply(batch, _augmentation, augment);
        }
    }
}
