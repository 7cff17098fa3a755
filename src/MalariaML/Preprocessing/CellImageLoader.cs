using MalariaML.Data;
using MalariaML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Preprocessing;

/// <summary>
/// The fast batched path from files to TorchSharp tensors: decodes in parallel into bytes, then forms float batches
/// (N, 3, H, W) in [0, 1] on demand. The whole 27,558-cell set at 125x125 takes 1.3 GB as bytes, 5.2 GB as floats.
/// </summary>
internal sealed class CellImageLoader
{
    /// <summary>Creates a loader with the given options (defaults: 125x125, bilinear).</summary>
    public CellImageLoader(ImageLoadOptions? options = null) => Options = options ?? new ImageLoadOptions();

    /// <summary>Decoding and resizing options.</summary>
    public ImageLoadOptions Options { get; }

    /// <summary>Decodes and resizes every cell in parallel; bad files are skipped and reported, never fatal.</summary>
    public DecodedCells Decode(IReadOnlyList<CellImage> cells, IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var (decoded, skipped) = ParallelDecoder.Run(cells, cell => ImageDecoder.DecodeFile(cell.Path, Options),
            Options.MaxDegreeOfParallelism, progress, cancellationToken);
        return new DecodedCells(decoded.Select(d => d.Cell).ToList(), decoded.Select(d => d.Value).ToList(), skipped, Options.Width, Options.Height);
    }

    /// <summary>
    /// Checks in parallel that every cell decodes, like <see cref="Decode"/>, but keeps the pixels of at most
    /// <paramref name="keepBytes"/> worth of cells (the first usable ones, in order): the returned
    /// <see cref="DecodedCells.Images"/> decode every other cell from its file again when read (see
    /// <see cref="DecodeOnReadImages"/>), so memory grows with the number of cells by a path, not by an image, once the
    /// budget is spent.
    /// </summary>
    /// <param name="cells">Cells to check.</param>
    /// <param name="progress">Progress of the check.</param>
    /// <param name="cancellationToken">Stops the check.</param>
    /// <param name="keepBytes">Decoded bytes to keep in memory; 0 keeps none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepBytes"/> is negative.</exception>
    public DecodedCells DecodeOnRead(IReadOnlyList<CellImage> cells, IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default,
        long keepBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentOutOfRangeException.ThrowIfNegative(keepBytes);
        // Which cells fit is only known once the bad ones are out, so the check keeps the first cells that could fit
        // (a bad file among them only makes the kept set one smaller) and drops the rest of its pixels at once.
        var fit = (int)Math.Min(cells.Count, keepBytes / RgbImage.ByteCount(Options.Width, Options.Height));
        var keep = new HashSet<CellImage>(cells.Take(fit), ReferenceEqualityComparer.Instance);
        var (decoded, skipped) = ParallelDecoder.Run(cells, cell =>
            {
                var image = ImageDecoder.DecodeFile(cell.Path, Options);
                return keep.Contains(cell) ? image : null;
            },
            Options.MaxDegreeOfParallelism, progress, cancellationToken);
        var usable = decoded.Select(d => d.Cell).ToList();
        var kept = decoded.TakeWhile(d => d.Value is not null).Select(d => d.Value!).ToList();
        return new DecodedCells(usable, new DecodeOnReadImages(usable, Options, kept), skipped, Options.Width, Options.Height);
    }

    /// <summary>
    /// Stacks the chosen images into a float32 tensor (N, 3, H, W) with values in [0, 1], the layout ML.NET's
    /// <c>ExtractPixels</c> produces per row. The caller owns (and disposes) the tensor.
    /// </summary>
    public static Tensor ToTensor(IReadOnlyList<RgbImage> images, ReadOnlySpan<int> indices, Device? device = null)
        => ToTensor(images, indices, device, channelsLast: false);

    /// <summary>
    /// Like <see cref="ToTensor(IReadOnlyList{RgbImage}, ReadOnlySpan{int}, Device?)"/>, optionally with channels-last
    /// strides: the same (N, 3, H, W) shape and values, stored pixel by pixel (NHWC), which is how the bytes arrive
    /// (so one copy fewer) and what oneDNN's CPU convolutions run fastest on (see benchmarks/results).
    /// </summary>
    /// <param name="images">Decoded images, all of one size.</param>
    /// <param name="indices">Which images, in batch order.</param>
    /// <param name="device">Target device; CPU when null.</param>
    /// <param name="channelsLast">NHWC strides instead of contiguous NCHW.</param>
    public static Tensor ToTensor(IReadOnlyList<RgbImage> images, ReadOnlySpan<int> indices, Device? device, bool channelsLast)
    {
        ArgumentNullException.ThrowIfNull(images);
        TorchRuntime.EnsureInitialized();
        if (indices.Length == 0)
        {
            throw new ArgumentException("a batch needs at least one image", nameof(indices));
        }

        // Each image is read once: a DecodeOnReadImages list decodes its file on every read.
        var first = images[indices[0]];
        int h = first.Height, w = first.Width, size = RgbImage.ByteCount(w, h);
        using var scope = NewDisposeScope();
        // The bytes go straight into the tensor's native memory: a managed staging array per batch (3 MB at 125 px)
        // would land on the large-object heap every batch.
        var raw = torch.empty([indices.Length, h, w, 3], ScalarType.Byte);
        var bytes = raw.bytes;
        for (var k = 0; k < indices.Length; k++)
        {
            var image = k == 0 ? first : images[indices[k]];
            if (image.Width != w || image.Height != h)
            {
                throw new ArgumentException($"images in one batch must share a size; got {w}x{h} and {image.Width}x{image.Height}", nameof(images));
            }

            image.Pixels.CopyTo(bytes.Slice(k * size, size));
        }

        // The permuted view keeps the bytes' NHWC strides through the conversion, so channels-last costs nothing.
        // An explicit Scalar kept alive by 'using': TorchSharp 0.107 passes a temporary Scalar's handle to native code
        // without keeping the object alive, so a collection during the call can free it (seen as libtorch's
        // "Unknown scalar type" under allocation pressure in the benchmarks).
        // Multiplied by 1/255f rather than divided by 255, as ML.NET's ExtractPixels scales: the two differ in the last bit
        // for some bytes, and the ML.NET pipeline and this path are meant to give the same floats.
        using Scalar scale = 1f / 255f;
        var batch = raw.permute(0, 3, 1, 2).to(ScalarType.Float32).mul_(scale);
        if (!channelsLast)
        {
            batch = batch.contiguous();
        }

        if (device is not null && device.type != DeviceType.CPU)
        {
            batch = batch.to(device);
        }

        return batch.MoveToOuterDisposeScope();
    }

    /// <summary>Stacks all images in order; see <see cref="ToTensor(IReadOnlyList{RgbImage}, ReadOnlySpan{int}, Device?, bool)"/>.</summary>
    public static Tensor ToTensor(IReadOnlyList<RgbImage> images, Device? device = null, bool channelsLast = false)
        => ToTensor(images, Enumerable.Range(0, images.Count).ToArray(), device, channelsLast);
}
