using MalariaML.Data;
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
    private readonly Augmentation.ColorAugmentation? _color;

    /// <summary>Creates a source over images and their labels.</summary>
    /// <param name="images">Images, all of one size: decoded bytes, or a <see cref="DecodeOnReadImages"/> list.</param>
    /// <param name="positive">Label of each image (true = positive class).</param>
    /// <param name="augmentation">Augmentation used when <see cref="Inputs"/> gets a generator; null for none.</param>
    /// <param name="color">Colour augmentation applied after <paramref name="augmentation"/>, also only with a generator; null for none.</param>
    public ImageBatchSource(IReadOnlyList<RgbImage> images, IReadOnlyList<bool> positive, ImageAugmentation? augmentation = null,
        Augmentation.ColorAugmentation? color = null)
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
        _color = color;
        color?.Validate();
    }

    /// <inheritdoc/>
    public int Count => _images.Count;

    /// <inheritdoc/>
    public bool IsPositive(int index) => _positive[index];

    /// <inheritdoc/>
    public Tensor Inputs(ReadOnlySpan<int> indices, Random? augment, Device device)
    {
        var batch = CellImageLoader.ToTensor(_images, indices, device, channelsLast: true);
        if (augment is null)
        {
            return batch;
        }

        if (_augmentation is not null)
        {
            var warped = Augmenter.Apply(batch, _augmentation, augment);
            batch.Dispose();
            batch = warped;
        }

        if (_color is not null)
        {
            var coloured = Augmentation.ColorAugmenter.Apply(batch, _color, augment);
            batch.Dispose();
            batch = coloured;
        }

        return batch;
    }
}
