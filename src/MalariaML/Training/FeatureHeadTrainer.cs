using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Preprocessing;
using MalariaML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Training;

/// <summary>
/// Trains the head of a frozen network on cached features (<see cref="ModelFamily.FrozenFeatures"/>): cells are
/// decoded a chunk at a time and only their features are kept, since at 224 px the pixels of every cell would take
/// 150 KB each.
/// </summary>
internal sealed class FeatureHeadTrainer : IFamilyTrainer
{
    // Cells decoded at a time: bounds the pixels in memory (512 cells at 224 px = 77 MB).
    private const int Chunk = 512;

    public FamilyTrainingOutcome Train(FamilyTrainingRequest r)
    {
        var module = Torch.Seeded(r.Options.Seed, () => r.Definition.CreateNetwork!(new ModelBuildOptions(r.Loader.Options.Width, r.Options.WeightsPath)));
        if (module is not IFeatureClassifier network)
        {
            module.Dispose();
            throw new InvalidOperationException($"{r.Definition.Name} is a {nameof(ModelFamily.FrozenFeatures)} model but its network is no {nameof(IFeatureClassifier)}");
        }

        var device = ComputeDevice.Resolve(r.Options.Device);
        module.to(device);
        module.eval();
        var cache = new FeatureCache(r.Options.CacheDirectory ?? Path.Combine(CacheFolder.Root(), "features"),
            $"{network.FeatureExtractorId}-{r.Loader.Options.Width}", network.FeatureCount);
        var progress = new FeatureProgress(r.Work, r.Train.Count + r.Validation.Count);
        var train = Extract(r, network, device, cache, r.Train, progress);
        var validation = Extract(r, network, device, cache, r.Validation, progress);
        if (train.Features.Count == 0)
        {
            module.Dispose();
            throw new MalariaMLException("the training part has no usable images");
        }

        var run = Trainer.Train(network.Head,
            new FeatureBatchSource(train.Features, r.Labels(train.Cells)),
            new FeatureBatchSource(validation.Features, r.Labels(validation.Cells)),
            r.Loop, r.Training, r.CancellationToken);
        var probabilities = HeadProbabilities(network, device, validation.Features);
        return new FamilyTrainingOutcome(new TorchCellScorer(module, device, r.Loop.BatchSize), run, validation.Cells, probabilities,
            [.. train.Skipped, .. validation.Skipped]);
    }

    private static (List<CellImage> Cells, List<float[]> Features, List<SkippedFile> Skipped) Extract(FamilyTrainingRequest r,
        IFeatureClassifier network, Device device, FeatureCache cache, IReadOnlyList<CellImage> part, FeatureProgress progress)
    {
        var width = network.FeatureCount;
        float[][] Forward(IReadOnlyList<RgbImage> batch)
        {
            using var scope = NewDisposeScope();
            using var inference = inference_mode();
            var features = network.Features(CellImageLoader.ToTensor(batch, device, channelsLast: true)).to(CPU).contiguous();
            var flat = features.data<float>().ToArray();
            return Enumerable.Range(0, batch.Count).Select(i => flat.AsSpan(i * width, width).ToArray()).ToArray();
        }

        var cells = new List<CellImage>();
        var vectors = new List<float[]>();
        var skipped = new List<SkippedFile>();
        for (var start = 0; start < part.Count; start += Chunk)
        {
            var decoded = r.Loader.Decode(part.Skip(start).Take(Chunk).ToList(), null, r.CancellationToken);
            vectors.AddRange(cache.GetOrCompute(decoded.Images, Forward, 32, null, r.CancellationToken));
            cells.AddRange(decoded.Cells);
            skipped.AddRange(decoded.Skipped);
            progress.Add(decoded.Cells.Count + decoded.Skipped.Count);
        }

        return (cells, vectors, skipped);
    }

    private static float[] HeadProbabilities(IFeatureClassifier network, Device device, IReadOnlyList<float[]> features)
    {
        if (features.Count == 0)
        {
            return [];
        }

        network.Head.eval();
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var source = new FeatureBatchSource(features, new bool[features.Count]);
        var all = Enumerable.Range(0, source.Count).ToArray();
        return network.Head.call(source.Inputs(all, null, device)).sigmoid().to(CPU).data<float>().ToArray();
    }

    private sealed class FeatureProgress(IProgress<WorkProgress>? work, int total)
    {
        private int _done;

        public void Add(int cells)
        {
            _done += cells;
            work?.Report(new WorkProgress("decoding and extracting features", _done, total));
        }
    }
}
