using MalariaML.Data;

namespace MalariaML.Tests.Data;

public class PatientKeyTests
{
    [Theory]
    [InlineData("C33P1thinF_IMG_20150619_114756a_cell_179.png", "P1")]
    [InlineData("C42P5thin_original_IMG_20150622_105102_cell_100.png", "P5")]
    [InlineData("C39P4thinF_original_IMG_20150622_105102_cell_94.png", "P4")]
    [InlineData("C47P8thinOriginalOlympusCX21_IMG_20150623_cell_12.png", "P8")]
    [InlineData("C177P138NThinF_IMG_20151201_141604_cell_180.png", "P138")]
    [InlineData("C73P34_thinF_IMG_20150815_cell_3.png", "P34")]
    [InlineData("C51AP12thinF_IMG_20150724_153313_cell_100.png", "P12")]
    [InlineData("C3thin_original_IMG_20150608_162835_cell_101.png", "C3")]
    [InlineData("C238NThinF_IMG_20151207_114038_cell_1.png", "C238N")]
    [InlineData("C204ThinF_IMG_20151029_110627_cell_102.png", "C204")]
    [InlineData("/data/Parasitized/C33P1thinF_IMG_1.png", "P1")]
    public void Parses_the_patient_out_of_NIH_file_names(string name, string expected)
        => Assert.Equal(expected, PatientKey.Parse(name));

    [Fact]
    public void Every_infected_patient_in_the_sample_also_has_uninfected_cells()
    {
        // The data README: an infected patient's slide also shows uninfected cells. If the parser mangled keys,
        // parasitized and uninfected cells of one patient would get different keys and this would fail.
        var cells = TestData.Sample().Cells;
        var infected = cells.Where(c => c.Label == "Parasitized").Select(c => c.PatientKey).ToHashSet();
        var uninfected = cells.Where(c => c.Label == "Uninfected").Select(c => c.PatientKey).ToHashSet();
        Assert.NotEmpty(infected);
        Assert.All(infected, p => Assert.Contains(p, uninfected));
        Assert.All(infected, p => Assert.Matches("^P[0-9]+$", p));
    }
}
