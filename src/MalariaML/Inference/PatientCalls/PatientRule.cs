namespace MalariaML.Inference.PatientCalls;

/// <summary>
/// When a patient is called positive: at least <see cref="MinParasitized"/> cells called parasitized and a
/// parasitemia of at least <see cref="MinParasitemia"/>. Fitted on the validation patients by
/// <see cref="PatientRuleFitter"/> for a target patient-level sensitivity, and stored in the model.
/// </summary>
/// <param name="MinParasitized">Fewest parasitized cells of a positive patient.</param>
/// <param name="MinParasitemia">Lowest share of parasitized cells of a positive patient.</param>
/// <param name="TargetSensitivity">Patient-level sensitivity the rule was fitted for.</param>
/// <param name="Fit">What the rule reached on the patients it was fitted on; null for a rule not fitted on data.</param>
/// <param name="Shift">Reference for flagging patients whose cells look unlike the validation cells; null for none.</param>
internal sealed record PatientRule(int MinParasitized, double MinParasitemia, double TargetSensitivity, PatientRuleFit? Fit, ScoreShiftReference? Shift)
{
    /// <summary>The rule of a model that has none stored (files written before it existed): one parasitized cell makes a positive patient.</summary>
    public static PatientRule AnyParasitizedCell { get; } = new(1, 0, 0.98, null, null);

    /// <summary>Whether a patient with <paramref name="parasitized"/> of <paramref name="cells"/> cells called parasitized is called positive.</summary>
    public bool IsPositive(int parasitized, int cells) => cells > 0 && parasitized >= MinParasitized && (double)parasitized / cells >= MinParasitemia;

    /// <summary>The rule in words, e.g. <c>positive when >= 3 parasitized cells and parasitemia >= 2.5%</c>.</summary>
    public string Describe() => FormattableString.Invariant($"positive when >= {MinParasitized} parasitized cell(s) and parasitemia >= {MinParasitemia:P2}");
}

/// <summary>How a <see cref="PatientRule"/> did on the patients it was fitted on.</summary>
/// <param name="InfectedPatients">Patients with at least one parasitized cell by the labels.</param>
/// <param name="HealthyPatients">Patients with none.</param>
/// <param name="Sensitivity">Share of infected patients called positive.</param>
/// <param name="Specificity">Share of healthy patients called negative.</param>
/// <param name="Reached">Whether <see cref="Sensitivity"/> reached the target (false: no rule could, or no infected patients).</param>
internal sealed record PatientRuleFit(int InfectedPatients, int HealthyPatients, double Sensitivity, double Specificity, bool Reached);

/// <summary>
/// The score distribution of validation cells called uninfected, as logits of the model's probability. A patient whose
/// median uninfected-cell logit lies above <see cref="Upper"/> has cells the model finds unusually suspicious even where
/// it calls them clean: a darker stain, debris, a different microscope. Such a patient is flagged, not silently counted.
/// </summary>
/// <param name="Median">Median logit of validation cells called uninfected.</param>
/// <param name="Upper">The flag line: the 90th percentile of those logits.</param>
/// <param name="MinCells">Fewest uninfected-called cells a patient needs before the flag is judged.</param>
internal sealed record ScoreShiftReference(double Median, double Upper, int MinCells = 10);
