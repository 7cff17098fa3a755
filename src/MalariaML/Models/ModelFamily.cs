namespace MalariaML.Models;

/// <summary>How a model is trained and stored.</summary>
internal enum ModelFamily
{
    /// <summary>A TorchSharp network trained end to end on images (the CNN, fine-tuned networks).</summary>
    Network,

    /// <summary>A TorchSharp network whose frozen backbone features are cached; only its head is trained.</summary>
    FrozenFeatures,

    /// <summary>An ML.NET pipeline (featurizer and classical trainer), stored as an ML.NET model.</summary>
    MlNet,
}
