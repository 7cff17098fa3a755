using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// The article's classifier head: Dense 512 + ReLU + Dropout 0.3, Dense 512 + ReLU + Dropout 0.3, one logit.
/// Shared by every model so that they differ only in how features are made.
/// </summary>
internal sealed class DenseHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Dropout drop1;
    private readonly Linear fc2;
    private readonly Dropout drop2;
    private readonly Linear output;

    /// <summary>Creates the head for <paramref name="inputFeatures"/> inputs.</summary>
    /// <param name="inputFeatures">Width of the feature vector fed in.</param>
    /// <param name="hidden">Units of each hidden layer. Default 512, as the article.</param>
    /// <param name="dropout">Dropout after each hidden layer. Default 0.3, as the article.</param>
    public DenseHead(long inputFeatures, long hidden = 512, double dropout = 0.3) : base(nameof(DenseHead))
    {
        fc1 = nn.Linear(inputFeatures, hidden);
        drop1 = nn.Dropout(dropout);
        fc2 = nn.Linear(hidden, hidden);
        drop2 = nn.Dropout(dropout);
        output = nn.Linear(hidden, 1);
        RegisterComponents();
    }

    /// <summary>Maps (N, features) to (N) logits of the positive class.</summary>
    public override Tensor forward(Tensor features)
    {
        using var scope = NewDisposeScope();
        var x = drop1.call(nn.functional.relu(fc1.call(features)));
        x = drop2.call(nn.functional.relu(fc2.call(x)));
        return output.call(x).squeeze(1).MoveToOuterDisposeScope();
    }
}
