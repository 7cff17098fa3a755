namespace MalariaML.Evaluation.Calibration;

/// <summary>
/// Temperature scaling (Guo et al., 2017): one number T dividing the network's logit, fitted to minimise the
/// validation negative log-likelihood. T &gt; 1 softens overconfident probabilities. A probability of 0.5 stays 0.5,
/// so calls at the default threshold, accuracy and AUC do not change; only how far from 0.5 the probabilities lie.
/// </summary>
internal static class TemperatureScaling
{
    // Probabilities arrive as float sigmoids, which round to exactly 0 or 1 beyond |logit| ~ 17; clamped there.
    private const double Epsilon = 1e-7;

    /// <summary>Logit of a probability, clamped to a finite value.</summary>
    public static double Logit(double probability)
    {
        var p = Math.Clamp(probability, Epsilon, 1 - Epsilon);
        return Math.Log(p / (1 - p));
    }

    /// <summary>The probability <paramref name="probability"/> becomes at temperature <paramref name="temperature"/>.</summary>
    public static double Apply(double probability, double temperature)
        => temperature == 1 || double.IsNaN(probability) ? probability : 1 / (1 + Math.Exp(-Logit(probability) / temperature));

    /// <summary>Applies <paramref name="temperature"/> to every probability.</summary>
    public static float[] Apply(float[] probabilities, double temperature)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        return temperature == 1 ? probabilities : probabilities.Select(p => (float)Apply(p, temperature)).ToArray();
    }

    /// <summary>
    /// The temperature in [0.05, 50] minimising the negative log-likelihood of <paramref name="labels"/>; 1 when the
    /// cells hold a single class (nothing to calibrate against) or none.
    /// </summary>
    public static double Fit(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count)
        {
            throw new ArgumentException($"{probabilities.Count} probabilities but {labels.Count} labels");
        }

        if (!labels.Contains(true) || !labels.Contains(false))
        {
            return 1;
        }

        var logits = probabilities.Select(Logit).ToArray();
        double Nll(double inverse)
        {
            double sum = 0;
            for (var i = 0; i < logits.Length; i++)
            {
                // -log sigmoid(s * z) for the true class, computed stably as softplus(-margin).
                var margin = (labels[i] ? 1 : -1) * inverse * logits[i];
                sum += margin > 0 ? double.LogP1(Math.Exp(-margin)) : -margin + double.LogP1(Math.Exp(margin));
            }

            return sum;
        }

        // The likelihood is convex in 1/T, so golden-section search on 1/T finds the optimum.
        double low = 1.0 / 50, high = 1.0 / 0.05;
        var ratio = (Math.Sqrt(5) - 1) / 2;
        double a = high - ratio * (high - low), b = low + ratio * (high - low);
        double fa = Nll(a), fb = Nll(b);
        for (var iteration = 0; iteration < 100 && high - low > 1e-6; iteration++)
        {
            if (fa < fb)
            {
                high = b;
                (b, fb) = (a, fa);
                a = high - ratio * (high - low);
                fa = Nll(a);
            }
            else
            {
                low = a;
                (a, fa) = (b, fb);
                b = low + ratio * (high - low);
                fb = Nll(b);
            }
        }

        return 1 / ((low + high) / 2);
    }
}
