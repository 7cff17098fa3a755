using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// A network that is a backbone followed by a <see cref="DenseHead"/>, so that the backbone's features can be computed
/// once per image and cached while only the head trains (<see cref="ModelFamily.FrozenFeatures"/> models).
/// </summary>
internal interface IFeatureClassifier
{
    /// <summary>The classifier head, fed with <see cref="Features"/>.</summary>
    DenseHead Head { get; }

    /// <summary>Width of the feature vector.</summary>
    int FeatureCount { get; }

    /// <summary>
    /// Names the backbone and its weights in feature-cache file names: two extractors that can give different features
    /// must never share an id, or cached features of one would be fed to the other's head.
    /// </summary>
    string FeatureExtractorId { get; }

    /// <summary>(N, <see cref="FeatureCount"/>) features of (N, 3, H, W) RGB images in [0, 1].</summary>
    Tensor Features(Tensor images);
}
