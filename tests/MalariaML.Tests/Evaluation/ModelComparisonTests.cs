using System.Globalization;
using MalariaML.Evaluation;

namespace MalariaML.Tests.Evaluation;

public class ModelComparisonTests
{
    private static ModelComparison Sample() => ModelComparison.Empty
        .Add("ResNet18 + LBFGS", BinaryEvaluator.Evaluate(HandComputedExample.Predictions))
        .Add("Custom CNN", BinaryEvaluator.Evaluate(HandComputedExample.Predictions, 0.35))
        .Add("Only negatives", BinaryEvaluator.Evaluate([new BinaryPrediction(0.1, false)]));

    [Fact]
    public void MarkdownHasHeaderSeparatorAndOneRowPerModel()
    {
        string[] lines = Sample().ToMarkdown().TrimEnd('\n').Split('\n');

        Assert.Equal(2 + 3, lines.Length);
        Assert.Equal("| Model | Accuracy | Precision | Recall | F1 | AUC | MCC |", lines[0]);
        Assert.Equal("| --- | ---: | ---: | ---: | ---: | ---: | ---: |", lines[1]);
        Assert.Equal("| ResNet18 + LBFGS | 0.7000 | 0.6667 | 0.8000 | 0.7273 | 0.8000 | 0.4082 |", lines[2]);
        Assert.StartsWith("| Custom CNN |", lines[3], StringComparison.Ordinal);
        Assert.Equal("| Only negatives | 1.0000 | 0.0000 | 0.0000 | 0.0000 | n/a | 0.0000 |", lines[4]);
        Assert.All(lines, line => Assert.Equal(8, line.Count(c => c == '|')));
    }

    [Fact]
    public void MarkdownEscapesPipesInModelNames()
    {
        string markdown = ModelComparison.Empty.Add("a|b", BinaryEvaluator.Evaluate(HandComputedExample.Predictions)).ToMarkdown();

        Assert.Contains("| a\\|b |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsoleTableAlignsColumns()
    {
        string[] lines = Sample().ToConsoleTable().TrimEnd('\n').Split('\n');

        Assert.Equal(2 + 3, lines.Length);
        Assert.StartsWith("Model           ", lines[0], StringComparison.Ordinal);
        Assert.Matches("^-+( +-+){6}$", lines[1]);
        Assert.All(lines, line => Assert.Equal(lines[0].Length, line.Length));
        Assert.Contains("ResNet18 + LBFGS", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("0.8000  0.4082", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("n/a  0.0000", lines[4], StringComparison.Ordinal);
        Assert.Equal(Sample().ToConsoleTable(), Sample().ToString());
    }

    [Fact]
    public void RenderingIgnoresTheCurrentCulture()
    {
        string invariant = Sample().ToMarkdown();
        CultureInfo previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("fr-FR");
            Assert.Equal(invariant, Sample().ToMarkdown());
            Assert.DoesNotContain("0,7000", Sample().ToConsoleTable(), StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void AddReturnsANewComparisonAndLeavesTheOriginalUnchanged()
    {
        ModelComparison one = ModelComparison.Empty.Add("A", BinaryEvaluator.Evaluate(HandComputedExample.Predictions));
        ModelComparison two = one.Add("B", BinaryEvaluator.Evaluate(HandComputedExample.Predictions));

        Assert.Single(one.Rows);
        Assert.Equal(["A", "B"], two.Rows.Select(r => r.Model));
        Assert.Empty(ModelComparison.Empty.Rows);
    }

    [Fact]
    public void BlankModelNamesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => ModelComparison.Empty.Add(" ", BinaryEvaluator.Evaluate(HandComputedExample.Predictions)));
    }
}
