using System.Globalization;

namespace MalariaML.Splits;

/// <summary>Shares of cells for training, validation and test; they sum to 1 and test may be 0.</summary>
public sealed record SplitRatios
{
    /// <summary>Creates ratios after checking that each is in [0, 1], train is positive, and they sum to 1.</summary>
    public SplitRatios(double train, double validation, double test)
    {
        if (train <= 0 || validation < 0 || test < 0 || train > 1 || validation > 1 || test > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(train), $"ratios must be in [0, 1] with train > 0; got {train}, {validation}, {test}");
        }

        if (Math.Abs(train + validation + test - 1) > 1e-6)
        {
            throw new ArgumentException($"ratios must sum to 1; got {train} + {validation} + {test} = {train + validation + test}");
        }

        Train = train;
        Validation = validation;
        Test = test;
    }

    /// <summary>Share of training cells.</summary>
    public double Train { get; }

    /// <summary>Share of validation cells.</summary>
    public double Validation { get; }

    /// <summary>Share of test cells.</summary>
    public double Test { get; }

    /// <summary>This project's default, 60:10:30.</summary>
    public static SplitRatios Default { get; } = new(0.6, 0.1, 0.3);

    /// <summary>
    /// The article's protocol: <c>test_size=0.3</c>, then 0.1 of the rest for validation, which gives 63:7:30.
    /// </summary>
    public static SplitRatios Article { get; } = new(0.63, 0.07, 0.30);

    /// <summary>Parses <c>"0.6,0.1,0.3"</c> (train, validation, test; invariant culture).</summary>
    /// <exception cref="FormatException">Not three numbers.</exception>
    public static SplitRatios Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 3 || !parts.All(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException($"expected three ratios 'train,validation,test' such as 0.6,0.1,0.3; got '{text}'");
        }

        var v = parts.Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return new SplitRatios(v[0], v[1], v[2]);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Train},{Validation},{Test}");
}
