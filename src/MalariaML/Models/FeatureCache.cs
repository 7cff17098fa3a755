using System.Security.Cryptography;
using MalariaML.Data;

namespace MalariaML.Models;

/// <summary>
/// Frozen-network features on disk, computed once per image, as ML.NET's image trainer caches bottlenecks. Keyed by
/// the SHA-256 of the decoded pixels (so by file content, input size and resampling) within one file per feature
/// extractor. Records are appended after every batch, so a killed run keeps what it computed; a torn last record is
/// ignored on the next load.
/// </summary>
internal sealed class FeatureCache
{
    private const int KeySize = 32;
    private readonly Dictionary<string, float[]> _entries = new(StringComparer.Ordinal);

    /// <summary>Opens (or starts) the cache of extractor <paramref name="extractorId"/>.</summary>
    /// <param name="directory">Cache folder; created when missing.</param>
    /// <param name="extractorId">Names the network and its weights, e.g. <c>resnet18-onnx-0.23.1</c>; one file per id.</param>
    /// <param name="featureCount">Width of each feature vector.</param>
    public FeatureCache(string directory, string extractorId, int featureCount)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(extractorId);
        FeatureCount = featureCount;
        Directory.CreateDirectory(directory);
        FilePath = Path.Combine(directory, $"{extractorId}-{featureCount}.features");
        Read();
    }

    /// <summary>The cache file.</summary>
    public string FilePath { get; }

    /// <summary>Width of each feature vector.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of cached vectors.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Features of every image, computing (in batches of <paramref name="batchSize"/>) and appending only those not cached yet.
    /// </summary>
    /// <param name="images">Decoded images.</param>
    /// <param name="compute">Computes features of a batch, one vector of <see cref="FeatureCount"/> per image.</param>
    /// <param name="batchSize">Images per call of <paramref name="compute"/>.</param>
    /// <param name="progress">Progress over images to compute.</param>
    /// <param name="cancellationToken">Stops between batches; what was computed stays cached.</param>
    public IReadOnlyList<float[]> GetOrCompute(IReadOnlyList<RgbImage> images, Func<IReadOnlyList<RgbImage>, float[][]> compute,
        int batchSize = 32, IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(compute);
        var keys = images.Select(i => Convert.ToHexString(SHA256.HashData(i.Pixels))).ToArray();
        var missing = Enumerable.Range(0, images.Count).Where(i => !_entries.ContainsKey(keys[i])).DistinctBy(i => keys[i]).ToList();
        progress?.Report(new WorkProgress("extracting features", 0, missing.Count));
        using (var file = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            for (var start = 0; start < missing.Count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = missing.Skip(start).Take(batchSize).ToList();
                var features = compute(batch.Select(i => images[i]).ToList());
                for (var k = 0; k < batch.Count; k++)
                {
                    if (features[k].Length != FeatureCount)
                    {
                        throw new InvalidOperationException($"extractor returned {features[k].Length} features, expected {FeatureCount}");
                    }

                    file.Write(Convert.FromHexString(keys[batch[k]]));
                    file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(features[k].AsSpan()));
                    _entries[keys[batch[k]]] = features[k];
                }

                file.Flush(flushToDisk: true);
                progress?.Report(new WorkProgress("extracting features", Math.Min(missing.Count, start + batchSize), missing.Count));
            }
        }

        return keys.Select(k => _entries[k]).ToList();
    }

    private void Read()
    {
        if (!File.Exists(FilePath))
        {
            return;
        }

        var recordSize = KeySize + FeatureCount * sizeof(float);
        var bytes = File.ReadAllBytes(FilePath);
        var whole = bytes.Length / recordSize * recordSize;
        for (var offset = 0; offset < whole; offset += recordSize)
        {
            var key = Convert.ToHexString(bytes, offset, KeySize);
            _entries[key] = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan(offset + KeySize, FeatureCount * sizeof(float))).ToArray();
        }

        if (whole != bytes.Length)
        {
            // A torn record from a killed run: cut it off so appends stay aligned.
            using var file = new FileStream(FilePath, FileMode.Open, FileAccess.Write);
            file.SetLength(whole);
        }
    }
}
