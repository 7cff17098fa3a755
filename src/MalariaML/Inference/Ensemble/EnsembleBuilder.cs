namespace MalariaML.Inference.Ensemble;

/// <summary>Combines trained models into one ensemble model (see <see cref="EnsembleScorer"/>).</summary>
internal static class EnsembleBuilder
{
    /// <summary>
    /// An ensemble of <paramref name="members"/>, which must share input size, resampling and classes; the ensemble owns
    /// them from now on. Its cell threshold is 0.5 on the mean calibrated probability, and its patient rule is the first
    /// member's unless <paramref name="patientRule"/> gives one fitted for the ensemble (as <c>malaria ensemble --data</c> does).
    /// </summary>
    public static MalariaModel Create(IReadOnlyList<MalariaModel> members, PatientCalls.PatientRule? patientRule = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new MalariaMLException("an ensemble needs at least one member");
        }

        var first = members[0].Metadata;
        foreach (var m in members.Skip(1).Select(m => m.Metadata))
        {
            if (m.InputWidth != first.InputWidth || m.InputHeight != first.InputHeight || m.Sampling != first.Sampling)
            {
                throw new MalariaMLException($"ensemble members must take the same input: {first.ModelKind} takes {first.InputWidth}x{first.InputHeight} ({first.Sampling}), {m.ModelKind} {m.InputWidth}x{m.InputHeight} ({m.Sampling})");
            }

            // One decoding feeds every member, so they must expect the same stain normalisation (or none).
            if (!SameStain(m.StainNormalization, first.StainNormalization))
            {
                throw new MalariaMLException($"ensemble members must normalise stain alike: {first.ModelKind} {Describe(first.StainNormalization)}, {m.ModelKind} {Describe(m.StainNormalization)}");
            }

            if (m.PositiveClass != first.PositiveClass || !m.ClassNames.SequenceEqual(first.ClassNames))
            {
                throw new MalariaMLException($"ensemble members must share classes: {string.Join("/", first.ClassNames)} vs {string.Join("/", m.ClassNames)}");
            }
        }

        var metadata = new ModelMetadata
        {
            ModelKind = EnsembleScorer.Kind,
            InputWidth = first.InputWidth,
            InputHeight = first.InputHeight,
            Sampling = first.Sampling,
            ClassNames = first.ClassNames,
            PositiveClass = first.PositiveClass,
            Threshold = 0.5,
            Split = first.Split,
            TrainingSeconds = members.Sum(m => m.Metadata.TrainingSeconds),
            TrainingCells = first.TrainingCells,
            StainNormalization = first.StainNormalization,
            PatientRule = patientRule ?? first.PatientRule,
        };
        return new MalariaModel(new EnsembleScorer(members), metadata);
    }

    /// <summary>
    /// Loads the model files at <paramref name="paths"/> and combines them with <see cref="Create"/>; every member loaded
    /// so far is disposed when a file cannot be loaded or the members cannot be combined.
    /// </summary>
    public static MalariaModel Load(IReadOnlyList<string> paths, string device = "cpu")
    {
        ArgumentNullException.ThrowIfNull(paths);
        var members = new List<MalariaModel>();
        try
        {
            foreach (var path in paths)
            {
                members.Add(MalariaModel.Load(path, device));
            }

            return Create(members);
        }
        catch
        {
            members.ForEach(m => m.Dispose());
            throw;
        }
    }

    private static bool SameStain(Preprocessing.StainNormalization? a, Preprocessing.StainNormalization? b)
        => a is null || b is null
            ? a is null && b is null
            : a.Reference.Mean.SequenceEqual(b.Reference.Mean) && a.Reference.StdDev.SequenceEqual(b.Reference.StdDev);

    private static string Describe(Preprocessing.StainNormalization? s)
        => s is null ? "does not normalise stain" : $"normalises towards Lab mean {string.Join("/", s.Reference.Mean.Select(v => v.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}";
}
