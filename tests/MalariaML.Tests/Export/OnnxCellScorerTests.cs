using MalariaML.Inference;
using MalariaML.Tests.Inference;
using MalariaML.Tests.Robustness;
using MalariaML.Tests.Training;
using Microsoft.ML.OnnxRuntime;

namespace MalariaML.Tests.Export;

/// <summary>
/// A saved model loaded with the ONNX Runtime engine scores like the TorchSharp engine, saves the same file, and the
/// command line exports it and predicts with either engine.
/// </summary>
[Collection("torch")]
public class OnnxCellScorerTests(ModelFileTests.SavedModel saved) : IClassFixture<ModelFileTests.SavedModel>
{
    [Fact]
    public void A_model_loaded_with_onnx_runtime_scores_like_torchsharp()
    {
        using var torchModel = MalariaModel.Load(saved.Path, engine: ScoringEngine.TorchSharp);
        using var onnxModel = MalariaModel.Load(saved.Path, engine: ScoringEngine.OnnxRuntime);
        Assert.IsType<TorchCellScorer>(torchModel.Scorer);
        var scorer = Assert.IsType<OnnxCellScorer>(onnxModel.Scorer);
        Assert.Equal("cpu", scorer.Device);

        var files = TinyTraining.Split.Test.Take(70).Select(c => c.Path).ToList(); // more than one batch of 64
        var expected = torchModel.PredictMany(files).Predictions;
        var actual = onnxModel.PredictMany(files).Predictions;
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Source, actual[i].Source);
            Assert.Equal(expected[i].Probability, actual[i].Probability, 1e-4);
        }

        // The engines themselves, before the model's temperature (which flattens a tiny model's probabilities towards
        // its base rate) is applied.
        var images = new MalariaML.Preprocessing.CellImageLoader(torchModel.LoadOptions).Decode(TinyTraining.Split.Test.Take(70).ToList()).Images;
        var rawTorch = torchModel.Scorer.Score(images);
        var rawOnnx = onnxModel.Scorer.Score(images);
        for (var i = 0; i < rawTorch.Length; i++)
        {
            Assert.Equal(rawTorch[i], rawOnnx[i], 1e-4);
        }

        var spread = rawTorch.Max() - rawTorch.Min();
        Assert.True(spread > 1e-3, $"the tiny model gives every cell about the same probability (spread {spread})");
        Assert.Equal(expected[0].Probability, onnxModel.Predict(files[0]).Probability, 1e-4);
        Assert.Equal(ScoringEngine.OnnxRuntime, MalariaModel.Resolve(ScoringEngine.Auto));

        // Saving from the ONNX engine writes the same weights, so the file loads with either engine.
        var resaved = Path.Combine(saved.Folder.Path, "from-onnx.malaria");
        onnxModel.Save(resaved);
        using var reloaded = MalariaModel.Load(resaved);
        Assert.Equal(expected[0].Probability, reloaded.Predict(files[0]).Probability, 6);
    }

    [Fact]
    public void Cuda_without_the_gpu_package_fails_with_a_clear_message()
    {
        var e = Assert.Throws<MalariaMLException>(() => MalariaModel.Load(saved.Path, "cuda", ScoringEngine.OnnxRuntime));
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", e.Message);
    }

    [Fact]
    public async Task The_command_line_exports_and_predicts_with_either_engine()
    {
        using var temp = TestData.NewTempFolder();
        var onnx = Path.Combine(temp.Path, "tiny.onnx");
        var cells = Path.Combine(TestData.SampleRoot, "Parasitized");
        var runs = new[]
        {
            Task.Run(() => CliProcess.Run(["export", "--model", saved.Path, "--onnx", onnx], timeout: TimeSpan.FromMinutes(2))),
            Task.Run(() => CliProcess.Run(["predict", "--model", saved.Path, cells, "--engine", "torchsharp", "--out", Path.Combine(temp.Path, "torch.csv")], timeout: TimeSpan.FromMinutes(2))),
            Task.Run(() => CliProcess.Run(["predict", "--model", saved.Path, cells, "--out", Path.Combine(temp.Path, "auto.csv")], timeout: TimeSpan.FromMinutes(2))),
        };
        var results = await Task.WhenAll(runs);
        foreach (var r in results)
        {
            Assert.True(r.ExitCode == 0, r.Transcript);
        }

        using (var session = new InferenceSession(onnx))
        {
            Assert.Equal("basic-cnn", session.ModelMetadata.CustomMetadataMap["model_kind"]);
        }

        var torch = Rows(Path.Combine(temp.Path, "torch.csv"));
        var auto = Rows(Path.Combine(temp.Path, "auto.csv"));
        Assert.Equal(torch.Keys.Order(), auto.Keys.Order());
        Assert.True(torch.Count > 100);
        foreach (var (path, probability) in torch)
        {
            Assert.Equal(probability, auto[path], 1e-4);
        }
    }

    private static Dictionary<string, double> Rows(string csv)
        => File.ReadLines(csv).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => f[0], f => double.Parse(f[^1], System.Globalization.CultureInfo.InvariantCulture));
}
