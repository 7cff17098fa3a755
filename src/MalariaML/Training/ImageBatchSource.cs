using MalariaML.Preprocessing;
using static TorchSharp.torch;

namespace MalariaML.Training;

/// <summary>
/// Cell images as training examples, augmented on the fly when asked. The images are read batch by batch, so a
/// <see cref="DecodeOnReadImages"/> list keeps only file paths in memory and decodes each batch when it is formed.
/// </summary>
internal sealed class ImageBatchSource : IBatchSource
{
    private readonly IReadOnlyList<RgbImage> _images;
    private readonly bool[] _positive;
    private readonly ImageAugmentation? _augmentation;

    /// <summary>Creates a source over images and their labels.</summary>
    /// <param name="images">Images, all of one size: decoded bytes, or a <see cref="DecodeOnReadImages"/> list.</param>
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
