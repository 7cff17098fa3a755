using MalariaML.Data;
using MalariaML.Models;
using MalariaML.Preprocessing;

namespace MalariaML.Training;

/// <summary>
/// Trains the all-ML.NET baseline (<see cref="ModelFamily.MlNet"/>): ML.NET's ResNet18 featurizer and L-BFGS logistic
/// regression, fed a chunk of decoded cells at a time so that their pixels are never all in memory.
/// </summary>
internal sealed class MlNetTrainer : IFamilyTrainer
{
    private const int Chunk = 512;

    public FamilyTrainingOutcome Train(FamilyTrainingRequest r)
    {
        var skipped = new List<SkippedFile>();
        var trainCells = 0;
        IEnumerable<DecodedCells> Chunks(IReadOnlyList<CellImage> part)
        {
            for (var start = 0; start < part.Count; start += Chunk)
            {
                var decoded = r.Loader.Decode(part.Skip(start).Take(Chunk).ToList(), null, r.CancellationToken);
                skipped.AddRange(decoded.Skipped);
                yield return decoded;
            }
        }

        var total = r.Train.Count + r.Validation.Count;
        var trainChunks = Chunks(r.Train).Select(d =>
        {
            trainCells += d.Cells.Count;
            return ((IReadOnlyList<RgbImage>)d.Images, (IReadOnlyList<bool>)r.Labels(d.Cells));
        });
        MlNetResNetScorer scorer;
        try
        {
            scorer = MlNetResNetScorer.Train(trainChunks, r.Train.Count, r.Options.Seed,
                r.Work is null ? null : new ScaledProgress(r.Work, 0, total), r.CancellationToken);
        }
        catch (ArgumentException) when (trainCells == 0)
        {
            throw new MalariaMLException("the training part has no usable images");
        }

        var cells = new List<CellImage>();
        var scores = new List<float>();
        foreach (var decoded in Chunks(r.Validation))
        {
            scores.AddRange(scorer.Score(decoded.Images));
            cells.AddRange(decoded.Cells);
            r.Work?.Report(new WorkProgress("scoring validation cells", r.Train.Count + cells.Count, total));
        }

        return new FamilyTrainingOutcome(scorer, new TrainingResult(TrainingHistory.Empty, 1, false), cells, scores.ToArray(), skipped);
    }

    // Maps a sub-task's progress onto the whole job's, so one bar covers decoding, featurizing and scoring.
    private sealed class ScaledProgress(IProgress<WorkProgress> inner, int offset, int total) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => inner.Report(value with { Done = offset + value.Done, Total = total });
    }
}
