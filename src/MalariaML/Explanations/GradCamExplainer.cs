using MalariaML.Data;
using MalariaML.Models;
using MalariaML.Inference;
using MalariaML.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Explanations;

/// <summary>
/// Grad-CAM (Selvaraju et al., 2017) for every TorchSharp model: the gradient of the logit with respect to the target
/// activation (basic-cnn: its last convolution block; ResNet18: its last stage; VGG-19: its last convolution),
/// averaged over space, weights the activation's channels; their sum, through a ReLU, is upsampled (bilinear) to the
/// cell's own size and divided by its maximum. Safe to call from several threads (calls take turns on the network).
/// </summary>
/// <remarks>
/// The ML.NET baseline (<c>resnet18-mlnet</c>) runs its ResNet18 in ONNX Runtime and its classifier in ML.NET: neither
/// gives gradients, so the constructor refuses it with an <see cref="ExplanationNotSupportedException"/>.
/// </remarks>
public sealed class GradCamExplainer
{
    private readonly MalariaModel _model;
    private readonly TorchCellScorer _scorer;

    /// <summary>Creates an explainer for a loaded model (which stays owned by the caller).</summary>
    /// <exception cref="ExplanationNotSupportedException">The model is not a TorchSharp network (the ML.NET baseline).</exception>
    public GradCamExplainer(MalariaModel model, GradCamOptions? options = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? new GradCamOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.BatchSize, 1);
        if (!IsSupported(model, out var reason))
        {
            throw new ExplanationNotSupportedException(model.Metadata.ModelKind, reason);
        }

        _scorer = (TorchCellScorer)model.Scorer;
        TargetLayer = ((IGradCamNetwork)_scorer.Network).TargetLayer;
    }

    /// <summary>The options in use.</summary>
    public GradCamOptions Options { get; }

    /// <summary>The explained layer, in words.</summary>
    public string TargetLayer { get; }

    /// <summary>Whether Grad-CAM can explain <paramref name="model"/>; if not, <paramref name="reason"/> says why.</summary>
    public static bool IsSupported(MalariaModel model, out string reason)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Scorer is TorchCellScorer { Network: IGradCamNetwork })
        {
            reason = "";
            return true;
        }

        reason = model.Scorer is TorchCellScorer
            ? "its network does not expose a target layer"
            : model.Scorer is Inference.Ensemble.EnsembleScorer
            ? "it is an ensemble of several networks; explain one of its members"
            : "it is an ML.NET model (ResNet18 features from ONNX Runtime, then an L-BFGS logistic regression), which has no gradients; train a TorchSharp model (basic-cnn, resnet18-*, vgg19-*) to get heat maps";
        return false;
    }

    /// <summary>Explains one image file.</summary>
    /// <exception cref="InvalidImageException">The file is not a usable image.</exception>
    public CellExplanation Explain(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidImageException(path, $"cannot be read ({e.Message})", e);
        }

        return Explain(data, path);
    }

    /// <summary>Explains one encoded image held in memory.</summary>
    /// <exception cref="InvalidImageException">The data is not a usable image.</exception>
    public CellExplanation Explain(byte[] data, string name) => ExplainMany([(name, data)])[0];

    /// <summary>
    /// Explains encoded images in batches of <see cref="GradCamOptions.BatchSize"/>. The network sees each cell decoded
    /// exactly as <see cref="MalariaModel"/> decodes it, so the probability is the one a prediction gives.
    /// </summary>
    /// <exception cref="InvalidImageException">One of the images is not usable (callers that want to skip bad files decode first).</exception>
    public IReadOnlyList<CellExplanation> ExplainMany(IReadOnlyList<(string Name, byte[] Data)> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var cells = images.Select(i => ImageDecoder.Decode(i.Data, i.Name, _model.LoadOptions.MaxImagePixels)).ToList();
        var inputs = images.Select(i => ImageDecoder.Decode(i.Data, i.Name, _model.LoadOptions)).ToList();
        var results = new List<CellExplanation>(images.Count);
        for (var start = 0; start < images.Count; start += Options.BatchSize)
        {
            var count = Math.Min(Options.BatchSize, images.Count - start);
            var maps = Compute(inputs.GetRange(start, count), cells.GetRange(start, count));
            for (var i = 0; i < count; i++)
            {
                var (probability, explained, map) = maps[i];
                results.Add(new CellExplanation(images[start + i].Name, _model.LabelOf(probability), probability, explained, cells[start + i], map));
            }
        }

        return results;
    }

    private List<(double Probability, string Explained, HeatMap Map)> Compute(List<RgbImage> inputs, List<RgbImage> cells)
    {
        var metadata = _model.Metadata;
        var negative = metadata.ClassNames.First(c => c != metadata.PositiveClass);
        return _scorer.RunExclusive((network, device) =>
        {
            var target = (IGradCamNetwork)network;
            network.eval();
            // Callers may sit inside inference_mode or no_grad; the backward pass needs a graph.
            using var gradients = enable_grad();
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(0, inputs.Count).ToArray();
            var batch = CellImageLoader.ToTensor(inputs, indices, device, channelsLast: true);
            Tensor trunk;
            using (no_grad())
            {
                trunk = target.TargetActivation(batch);
            }

            // A fresh leaf: the gradient reaches it even when the backbone's weights are frozen, and nothing is
            // accumulated into the weights' .grad.
            var activation = trunk.detach().requires_grad_(true);
            var logits = target.FromTargetActivation(activation);
            // Calibrated like MalariaModel's predictions, so an explanation reports the probability a prediction gives.
            var probabilities = Evaluation.Calibration.TemperatureScaling.Apply(logits.detach().sigmoid().to(CPU).data<float>().ToArray(), _model.Temperature);
            var explainPositive = probabilities
                .Select(p => Options.Class == ExplainedClass.Positive || p >= metadata.Threshold)
                .ToArray();
            // Cells are independent in evaluation mode, so one backward pass of the sum gives every cell's gradient.
            var signs = tensor(explainPositive.Select(b => b ? 1f : -1f).ToArray(), device: device);
            var objective = (logits * signs).sum();
            var gradient = autograd.grad([objective], [activation])[0];
            var weights = gradient.mean([2, 3], keepdim: true);
            var cam = (weights * activation.detach()).sum(1, keepdim: true).relu().contiguous();
            int h = (int)cam.shape[2], w = (int)cam.shape[3];
            var result = new List<(double, string, HeatMap)>(inputs.Count);
            for (var i = 0; i < inputs.Count; i++)
            {
                var cell = cells[i];
                var up = nn.functional.interpolate(cam[i..(i + 1)], [cell.Height, cell.Width], mode: InterpolationMode.Bilinear, align_corners: false)
                    .clamp_min(0).to(CPU).contiguous();
                var values = up.data<float>().ToArray();
                var max = values.Max();
                if (max > 0)
                {
                    for (var p = 0; p < values.Length; p++)
                    {
                        values[p] /= max;
                    }
                }

                result.Add((probabilities[i], explainPositive[i] ? metadata.PositiveClass : negative, new HeatMap(cell.Width, cell.Height, values, w, h)));
            }

            return result;
        });
    }
}
