using System.Collections;
using MalariaML.Data;

namespace MalariaML.Preprocessing;

/// <summary>
/// Cell images that are decoded from their files each time one is read, except the first few whose pixels are kept, so a
/// training set costs a file path per cell in memory instead of its pixels (47 KB per cell at 125 px, 150 KB at 224 px:
/// 4.7 and 15 GB for 100,000 cells). The trainer reads a batch on its batch-preparation thread while the previous batch
/// trains, but on two cores that decoding still competes with the step: decoding every batch cost resnet18-finetune
/// about a fifth of its training images/s here (benchmarks/results/train-throughput.md), hence the kept cells.
/// </summary>
/// <remarks>
/// Decoding is deterministic: reading an image twice gives the same bytes, so results do not depend on whether a run
/// keeps its pixels or decodes them again. The files are expected to stay as they were when
/// <see cref="CellImageLoader.DecodeOnRead"/> checked them; a file that has become unreadable since raises an
/// <see cref="InvalidImageException"/> naming it.
/// </remarks>
internal sealed class DecodeOnReadImages : IReadOnlyList<RgbImage>
{
    private readonly IReadOnlyList<CellImage> _cells;
    private readonly IReadOnlyList<RgbImage> _kept;

    /// <summary>Images of <paramref name="cells"/>, decoded and resized with <paramref name="options"/> when read.</summary>
    /// <param name="cells">The cells, in order.</param>
    /// <param name="options">Decoding and resizing options.</param>
    /// <param name="kept">Already decoded images of the first cells (as <paramref name="options"/> decodes them); null for none.</param>
    public DecodeOnReadImages(IReadOnlyList<CellImage> cells, ImageLoadOptions options, IReadOnlyList<RgbImage>? kept = null)
    {
        _cells = cells ?? throw new ArgumentNullException(nameof(cells));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        _kept = kept ?? [];
        if (_kept.Count > _cells.Count)
        {
            throw new ArgumentException($"{_kept.Count} kept images for {_cells.Count} cells", nameof(kept));
        }
    }

    /// <summary>How many of the first cells are held decoded in memory rather than read from their files.</summary>
    public int KeptCount => _kept.Count;

    /// <summary>Memory the kept cells' pixels take.</summary>
    public long KeptBytes => (long)_kept.Count * RgbImage.ByteCount(Options.Width, Options.Height);

    /// <summary>Decoding and resizing options.</summary>
    public ImageLoadOptions Options { get; }

    /// <inheritdoc/>
    public int Count => _cells.Count;

    /// <summary>The image of cell <paramref name="index"/>: kept, or decoded from its file.</summary>
    /// <exception cref="InvalidImageException">The file can no longer be decoded.</exception>
    public RgbImage this[int index] => index < _kept.Count ? _kept[index] : ImageDecoder.DecodeFile(_cells[index].Path, Options);

    /// <inheritdoc/>
    public IEnumerator<RgbImage> GetEnumerator()
    {
        for (var i = 0; i < _cells.Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
