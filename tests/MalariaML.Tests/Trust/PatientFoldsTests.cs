using MalariaML.CrossValidation;

namespace MalariaML.Tests.Trust;

public class PatientFoldsTests
{
    [Fact]
    public void Every_patient_is_in_exactly_one_test_fold_and_never_trains_on_its_own_test_fold()
    {
        var cells = TestData.Sample().Cells;
        var folds = PatientFolds.Split(cells, folds: 5, seed: 42);
        var patients = cells.Select(c => c.PatientKey).Distinct().ToList();
        foreach (var patient in patients)
        {
            Assert.Equal(1, folds.Count(f => f.Test.Any(c => c.PatientKey == patient)));
        }

        Assert.Equal(cells.Count, folds.Sum(f => f.Test.Count));
        foreach (var fold in folds)
        {
            var test = fold.Test.Select(c => c.PatientKey).ToHashSet();
            var validation = fold.Validation.Select(c => c.PatientKey).ToHashSet();
            Assert.DoesNotContain(fold.Train, c => test.Contains(c.PatientKey) || validation.Contains(c.PatientKey));
            Assert.DoesNotContain(fold.Validation, c => test.Contains(c.PatientKey));
            Assert.Equal(cells.Count, fold.Train.Count + fold.Validation.Count + fold.Test.Count);
            Assert.NotEmpty(fold.Validation);
        }

        // Healthy patients (no parasitized cell) are spread over the folds, not piled into one.
        var healthy = cells.GroupBy(c => c.PatientKey).Where(g => g.All(c => c.Label == "Uninfected")).Select(g => g.Key).ToHashSet();
        Assert.True(folds.Max(f => f.Test.Select(c => c.PatientKey).Distinct().Count(healthy.Contains)) - folds.Min(f => f.Test.Select(c => c.PatientKey).Distinct().Count(healthy.Contains)) <= 1);
    }

    [Fact]
    public void The_same_seed_gives_the_same_folds_and_another_seed_other_folds()
    {
        var cells = TestData.Sample().Cells;
        string Keys(int seed) => string.Join(";", PatientFolds.Split(cells, 5, seed).Select(f => string.Join(",", f.Test.Select(c => c.PatientKey).Distinct())));
        Assert.Equal(Keys(7), Keys(7));
        Assert.NotEqual(Keys(7), Keys(8));
    }
}
