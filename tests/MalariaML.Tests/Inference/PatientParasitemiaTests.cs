using MalariaML.Evaluation;
using MalariaML.Inference;

namespace MalariaML.Tests.Inference;

public class PatientParasitemiaTests
{
    [Theory]
    // Reference values of the Wilson score interval (z = 1.96), e.g. Newcombe (1998), table I.
    [InlineData(81, 263, 0.2553, 0.3662)]
    [InlineData(15, 148, 0.0624, 0.1605)]
    [InlineData(0, 20, 0.0, 0.1611)]
    [InlineData(10, 10, 0.7225, 1.0)]
    public void Wilson_interval_matches_published_values(int k, int n, double low, double high)
    {
        var (l, h) = WilsonInterval.Compute(k, n);
        Assert.Equal(low, l, 4);
        Assert.Equal(high, h, 4);
    }

    [Fact]
    public void Predictions_are_grouped_by_the_patient_key_of_their_file_names()
    {
        CellPrediction P(string name, bool positive) => new($"/x/{name}", positive ? "Parasitized" : "Uninfected", positive ? 0.9 : 0.1, positive);
        var summary = PatientParasitemia.Summarise(
        [
            P("C33P1thinF_IMG_1_cell_1.png", true),
            P("C33P1thinF_IMG_1_cell_2.png", false),
            P("C33P1thinF_IMG_2_cell_3.png", false),
            P("C34P1thinF_IMG_9_cell_4.png", true),
            P("C238NThinF_IMG_2_cell_1.png", false),
        ]);
        Assert.Equal(["C238N", "P1"], summary.Select(s => s.Patient));
        var p1 = summary[1];
        Assert.Equal((4, 2, 0.5), (p1.Cells, p1.Parasitized, p1.Parasitemia));
        Assert.True(p1.CiLow < 0.5 && p1.CiHigh > 0.5);
        Assert.Equal(0, summary[0].Parasitized);
    }
}
