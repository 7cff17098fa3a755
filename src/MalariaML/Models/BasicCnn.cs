using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// The article's CNN trained from scratch: three blocks of Conv2d 3x3 (32, 64, 128 filters, same padding) + ReLU +
/// MaxPool 2x2, then <see cref="DenseHead"/>. Input (N, 3, H, W) RGB in [0, 1]; output (N) logits.
/// </summary>
internal sealed class BasicCnn : nn.Module<Tensor, Tensor>, IGradCamNetwork
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Conv2d conv3;
    private readonly MaxPool2d pool;
    private readonly DenseHead head;

    /// <summary>Creates the network for square inputs of <paramref name="imageSize"/> pixels (125 in the article).</summary>
    public BasicCnn(int imageSize = 125) : base(nameof(BasicCnn))
    {
        if (imageSize < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "three 2x2 poolings need at least 8 pixels");
        }

        conv1 = nn.Conv2d(3, 32, 3, padding: 1);
        conv2 = nn.Conv2d(32, 64, 3, padding: 1);
        conv3 = nn.Conv2d(64, 128, 3, padding: 1);
        pool = nn.MaxPool2d(2);
        var side = imageSize / 2 / 2 / 2; // floor division, as Keras' MaxPooling2D with 'valid' padding
        head = new DenseHead(128L * side * side);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return FromTargetActivation(TargetActivation(images)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public string TargetLayer => "conv3 (last convolution block, after ReLU, before its pooling)";

    /// <inheritdoc/>
    public Tensor TargetActivation(Tensor images)
    {
        using var scope = NewDisposeScope();
        // In-place ReLU: convolution outputs are not needed for the backward pass, and at batch 64 the first one is
        // 128 MB that a copy would allocate (and fault in) again.
        var x = pool.call(conv1.call(MemoryFormat.ChannelsLast(images)).relu_());
        x = pool.call(conv2.call(x).relu_());
        return conv3.call(x).relu_().MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public Tensor FromTargetActivation(Tensor activation)
    {
        using var scope = NewDisposeScope();
        return head.call(pool.call(activation).flatten(1)).MoveToOuterDisposeScope();
    }
}
