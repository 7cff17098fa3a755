using MalariaML.Inference;
using MalariaML.Preprocessing;
using MalariaML.Models;
using MalariaML.Runtime;

namespace MalariaML.Training;

/// <summary>
/// Trains a TorchSharp network end to end on images (<see cref="ModelFamily.Network"/>). Every file is checked once
/// up front (bad ones are skipped and reported); the pixels of the first cells are kept up to
/// <see cref="ModelTrainingOptions.DecodedCellBytes"/> (training cells first), and every other cell is decoded again on
/// the batch-preparation thread for each batch, so memory does not grow with the number of cells.
/// </summary>
internal sealed class NetworkTrainer : IFamilyTrainer
{
    public FamilyTrainingOutcome Train(FamilyTrainingRequest r)
    {
        var budget = r.Options.DecodedCellBytes;
        var train = r.Loader.DecodeOnRead(r.Train, r.Work, r.CancellationToken, budget);
        var trainBytes = train.Images is DecodeOnReadImages images ? images.KeptBytes : 0;
        var validation = r.Loader.DecodeOnRead(r.Validation, r.Work, r.CancellationToken, budget - trainBytes);
        if (train.Images.Count == 0)
        {
            throw new MalariaMLException("the training part has no usable images");
        }

        var size = r.Loader.Options.Width;
        var network = Torch.Seeded(r.Options.Seed, () => r.Definition.CreateNetwork!(new ModelBuildOptions(size, r.Options.WeightsPath)));
        var run = Trainer.Train(network,
            new ImageBatchSource(train.Images, r.Labels(train.Cells), TrainingDefaults.For(r.Definition.Name).Augmentation, r.Options.ColorAugmentation),
            new ImageBatchSource(validation.Images, r.Labels(validation.Cells)),
            r.Loop, r.Training, r.CancellationToken);
        var scorer = new TorchCellScorer(network, ComputeDevice.Resolve(r.Options.Device), r.Loop.BatchSize);
        return new FamilyTrainingOutcome(scorer, run, validation.Cells, scorer.Score(validation.Images), [.. train.Skipped, .. validation.Skipped]);
    }
}
