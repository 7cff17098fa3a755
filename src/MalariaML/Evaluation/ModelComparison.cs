using System.Text;

namespace MalariaML.Evaluation;

/// <summary>
/// Side-by-side metrics of several models on the same test set, rendered as a console table or as GitHub
/// Markdown for the README / article.
/// </summary>
/// <remarks>
/// Columns follow the article's table (Model, Accuracy, Precision, Recall, F1) plus AUC and MCC, which are
/// the threshold-independent and imbalance-robust views. Numbers use four decimals and the invariant
/// culture so output is byte-identical on every machine; an undefined AUC prints as "n/a". Rows keep the
/// order they were added in, because the caller knows the meaningful order (baseline first, best last…).
/// Instances are immutable: <see cref="Add"/> returns a new comparison.
/// </remarks>
public sealed class ModelComparison
{
    private static readonly string[] Headers = ["Model", "Accuracy", "Precision", "Recall", "F1", "AUC", "MCC"];

    private readonly ModelComparisonRow[] _rows;

    /// <summary>Creates a comparison from rows, in display order.</summary>
    /// <param name="rows">Rows to show; copied, so later changes to the source do not leak in.</param>
    /// <exception cref="ArgumentException">A row is null, has a blank model name, or has null metrics.</exception>
    internal ModelComparison(IEnumerable<ModelComparisonRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        _rows = rows.ToArray();
        foreach (ModelComparisonRow? row in _rows)
        {
            if (row is null || string.IsNullOrWhiteSpace(row.Model) || row.Metrics is null)
            {
                throw new ArgumentException("Every row needs a non-blank model name and metrics.", nameof(rows));
            }
        }
    }

    /// <summary>An empty comparison, to start a fluent chain of <see cref="Add"/> calls.</summary>
    public static ModelComparison Empty { get; } = new([]);

    /// <summary>Rows in display order.</summary>
    internal IReadOnlyList<ModelComparisonRow> Rows => _rows;

    /// <summary>Returns a new comparison with one more row at the end.</summary>
    /// <param name="model">Display name of the model.</param>
    /// <param name="metrics">Its metrics on the shared test set.</param>
    public ModelComparison Add(string model, BinaryMetrics metrics) =>
        new(_rows.Append(new ModelComparisonRow(model, metrics)));

    /// <summary>
    /// Renders a GitHub-flavoured Markdown table: header row, separator row (numbers right-aligned), one row
    /// per model. Pipes in model names are escaped so they cannot break the table.
    /// </summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        AppendMarkdownRow(sb, Headers);
        sb.Append("| --- |");
        for (int c = 1; c < Headers.Length; c++)
        {
            sb.Append(" ---: |");
        }

        sb.Append('\n');
        foreach (ModelComparisonRow row in _rows)
        {
            string[] cells = Cells(row);
            cells[0] = EscapeMarkdown(cells[0]);
            AppendMarkdownRow(sb, cells);
        }

        return sb.ToString();
    }

    /// <summary>
    /// Renders a fixed-width plain-text table for terminals and logs: header, a dashed rule, one line per
    /// model; the model column is left-aligned and numbers right-aligned so decimals line up.
    /// </summary>
    public string ToConsoleTable()
    {
        List<string[]> lines = [Headers, .. _rows.Select(Cells)];
        var widths = new int[Headers.Length];
        foreach (string[] line in lines)
        {
            for (int c = 0; c < line.Length; c++)
            {
                widths[c] = Math.Max(widths[c], line[c].Length);
            }
        }

        var sb = new StringBuilder();
        AppendConsoleLine(sb, Headers, widths);
        sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (string[] line in lines.Skip(1))
        {
            AppendConsoleLine(sb, line, widths);
        }

        return sb.ToString();
    }

    /// <summary>The console table, so the comparison can be printed directly.</summary>
    public override string ToString() => ToConsoleTable();

    private static string[] Cells(ModelComparisonRow row)
    {
        BinaryMetrics m = row.Metrics;
        // Line breaks would break both layouts, and a name is only a label.
        string name = row.Model.ReplaceLineEndings(" ");
        return
        [
            name,
            MetricFormat.Format(m.Accuracy),
            MetricFormat.Format(m.Precision),
            MetricFormat.Format(m.Recall),
            MetricFormat.Format(m.F1),
            MetricFormat.Format(m.Auc),
            MetricFormat.Format(m.Mcc),
        ];
    }

    private static void AppendMarkdownRow(StringBuilder sb, IReadOnlyList<string> cells)
    {
        sb.Append('|');
        foreach (string cell in cells)
        {
            sb.Append(' ').Append(cell).Append(" |");
        }

        sb.Append('\n');
    }

    private static void AppendConsoleLine(StringBuilder sb, IReadOnlyList<string> cells, int[] widths)
    {
        for (int c = 0; c < cells.Count; c++)
        {
            if (c > 0)
            {
                sb.Append("  ");
            }

            sb.Append(c == 0 ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c]));
        }

        // Trailing spaces from padding the last column are never produced (it is right-aligned).
        sb.Append('\n');
    }

    private static string EscapeMarkdown(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
