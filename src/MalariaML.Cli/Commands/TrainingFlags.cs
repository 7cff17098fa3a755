using System.CommandLine;
using MalariaML.Models;
using MalariaML.Training;
using MalariaML.Training.Augmentation;

namespace MalariaML.Cli.Commands;

/// <summary>
/// The training flags <c>malaria train</c> and <c>malaria cv</c> share, defined once so that their names, defaults and
/// meaning cannot drift apart, and read into one <see cref="ModelTrainingOptions"/>.
/// </summary>
internal sealed class TrainingFlags
{
    public Option<string> Data { get; } = new("--data") { Description = "Dataset folder with one sub-folder per class.", Required = true };

    public Option<string> Model { get; } = new("--model") { Description = $"Model: {string.Join(", ", ModelCatalog.Names)}.", Required = true };

    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Most epochs (default 25)." };

    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "Images per batch (default 64)." };

    public Option<int?> ImageSize { get; } = new("--image-size") { Description = "Square input size (model default: 125, or 224 for frozen/ML.NET ResNet18)." };

    public Option<double?> LearningRate { get; } = new("--lr") { Description = "Learning rate (model default)." };

    public Option<int?> Patience { get; } = new("--patience") { Description = "Early-stopping patience in epochs (default 5, 0 = off)." };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the split (or folds) and of training.", DefaultValueFactory = _ => 42 };

    public Option<string> Device { get; } = new("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "auto" };

    public Option<string?> Weights { get; } = new("--weights") { Description = "Pretrained weights file (.pth or .safetensors) for VGG-19 models." };

    public Option<bool> Color { get; } = new("--color-aug")
    {
        Description = "Augment training batches' colours: brightness, contrast, saturation +-15%, hue +-0.03 turn, HED stain +-5% (shift +-0.02 OD), blur (20%, sigma <= 1 px), noise (sd <= 0.02). Networks trained end to end only.",
    };

    public Option<bool> StainNorm { get; } = new("--stain-norm")
    {
        Description = "Stain normalisation (Reinhard, robust): every cell's interior median Lab colour moved to the training cells' typical one, its contrast kept (stored in the model, applied at prediction too).",
    };

    public Option<string> Schedule { get; } = new Option<string>("--schedule")
    {
        Description = "Learning-rate schedule: plateau (halve after 2 epochs without a better validation loss) or cosine (linear warm-up over the first 10% of batches, cosine decay to 1e-6 at the last).",
        DefaultValueFactory = _ => "plateau",
    }.AcceptOnlyFromAmong("plateau", "cosine");

    public Option<double> TargetSensitivity { get; } = new("--target-sensitivity")
    {
        Description = "Patient-level sensitivity the call rule is fitted for on validation patients.",
        DefaultValueFactory = _ => new ModelTrainingOptions().TargetPatientSensitivity,
    };

    public Option<int> KeepDecodedMb { get; } = new Option<int>("--keep-decoded-mb")
    {
        Description = "MiB of decoded cells kept in memory between epochs (networks trained end to end); the rest are decoded again for every batch. 0 keeps none.",
        DefaultValueFactory = _ => (int)(new ModelTrainingOptions().DecodedCellBytes >> 20),
    };

    /// <summary>Every flag, to add to a command.</summary>
    public IEnumerable<Option> All => [Data, Model, Epochs, BatchSize, ImageSize, LearningRate, Patience, Seed, Device, Weights, Color, StainNorm, Schedule, TargetSensitivity, KeepDecodedMb];

    /// <summary>The options the flags give; checkpointing is the caller's.</summary>
    /// <exception cref="MalariaMLException">Unknown model name; the message lists the known ones.</exception>
    public ModelTrainingOptions Read(ParseResult result) => new()
    {
        Model = ModelCatalog.Get(result.GetValue(Model)!).Name,
        ImageSize = result.GetValue(ImageSize),
        Epochs = result.GetValue(Epochs),
        BatchSize = result.GetValue(BatchSize),
        LearningRate = result.GetValue(LearningRate),
        EarlyStoppingPatience = result.GetValue(Patience),
        Seed = result.GetValue(Seed),
        Device = result.GetValue(Device)!,
        WeightsPath = result.GetValue(Weights),
        ColorAugmentation = result.GetValue(Color) ? ColorAugmentation.Default : null,
        StainNormalization = result.GetValue(StainNorm),
        Schedule = result.GetValue(Schedule) == "cosine" ? LearningRateSchedule.WarmupCosine : LearningRateSchedule.Plateau,
        TargetPatientSensitivity = result.GetValue(TargetSensitivity),
        DecodedCellBytes = (long)result.GetValue(KeepDecodedMb) << 20,
    };
}
