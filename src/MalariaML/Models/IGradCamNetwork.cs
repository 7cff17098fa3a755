using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// A network split at the activation Grad-CAM explains, so the gradient of the logit can be taken with respect to it.
/// TorchSharp has forward hooks but no backward hooks; splitting the forward pass in two gives
/// <c>torch.autograd.grad</c> the activation as an input instead.
/// </summary>
/// <remarks><c>FromTargetActivation(TargetActivation(x))</c> equals the network's forward pass.</remarks>
internal interface IGradCamNetwork
{
    /// <summary>The layer whose output is explained, in words (shown to users).</summary>
    string TargetLayer { get; }

    /// <summary>The target activation, (N, C, h, w), of RGB images in [0, 1], (N, 3, H, W).</summary>
    Tensor TargetActivation(Tensor images);

    /// <summary>The logits, (N), from the target activation.</summary>
    Tensor FromTargetActivation(Tensor activation);
}
