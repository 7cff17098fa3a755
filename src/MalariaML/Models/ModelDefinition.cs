using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// A model the library can train by name: its input size, its family and how to build its network. How it is trained
/// by default is the trainer's business (<c>Training/TrainingDefaults</c>), so rebuilding a network never depends on training.
/// </summary>
/// <param name="Name">Name used by the API and the CLI, e.g. <c>basic-cnn</c>.</param>
/// <param name="Description">One line for help texts.</param>
/// <param name="ImageSize">Default square input size in pixels.</param>
/// <param name="Family">How the model is trained and stored.</param>
/// <param name="CreateNetwork">Builds the TorchSharp network; null for <see cref="ModelFamily.MlNet"/>.</param>
internal sealed record ModelDefinition(
    string Name,
    string Description,
    int ImageSize,
    ModelFamily Family,
    Func<ModelBuildOptions, nn.Module<Tensor, Tensor>>? CreateNetwork)
{
    /// <summary>True when training needs a user-supplied weights file (no weights ship for it). Default false.</summary>
    public bool RequiresWeightsFile { get; init; }
}

/// <summary>What a network factory may need besides its name.</summary>
/// <param name="ImageSize">Square input size in pixels.</param>
/// <param name="WeightsPath">User-supplied pretrained weights (VGG-19), or null.</param>
/// <param name="Pretrained">
/// Whether pretrained weights are loaded. False when the network is rebuilt to receive weights from a <c>.malaria</c>
/// file, where importing them first would be wasted work.
/// </param>
internal sealed record ModelBuildOptions(int ImageSize, string? WeightsPath = null, bool Pretrained = true);
