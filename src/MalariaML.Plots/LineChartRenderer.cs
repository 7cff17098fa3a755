using ScottPlot;
using SkiaSharp;

namespace MalariaML.Plots;

/// <summary>Draws a <see cref="LineChartSpec"/>: one ScottPlot plot per panel, side by side, under a common title.</summary>
internal static class LineChartRenderer
{
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    // Preferred legend corners, best first; the emptiest one wins (see PlaceLegend).
    private static readonly Alignment[] LegendCorners =
        [Alignment.UpperRight, Alignment.LowerRight, Alignment.UpperLeft, Alignment.LowerLeft];

    /// <summary>Renders the chart at the spec's size.</summary>
    public static SKImage Render(LineChartSpec spec, ChartFonts fonts)
    {
        if (spec.Panels is not { Count: > 0 } panels)
            throw new InvalidDataException("no panels");

        using var surface = ChartCanvas.Create(spec.Width, spec.Height);
        var canvas = surface.Canvas;

        // Sizes are tuned for 600 x 500 pixels per panel and grow or shrink with the panel.
        var scale = Math.Clamp(Math.Min(spec.Width / (float)panels.Count / 600f, spec.Height / 500f), 0.8f, 2.5f);

        // One panel: the chart title is the plot title. Several: one title over all of them, panels keep their own.
        var top = 0f;
        if (panels.Count > 1 && !string.IsNullOrWhiteSpace(spec.Title))
        {
            using var font = fonts.Font(20 * scale, bold: true);
            using var paint = SkiaText.Fill(ChartCanvas.TextColor);
            var margin = 12 * scale;
            var baseline = margin - font.Metrics.Ascent;
            SkiaText.DrawCentered(canvas, spec.Title, spec.Width / 2f, baseline, font, paint, spec.Width - 2 * margin);
            top = baseline + font.Metrics.Descent + 2 * scale;
        }

        var panelWidth = spec.Width / (float)panels.Count;
        for (var i = 0; i < panels.Count; i++)
        {
            var panel = panels[i] ?? throw new InvalidDataException($"panel {i + 1} is null");
            var title = panels.Count == 1 && !string.IsNullOrWhiteSpace(spec.Title) ? spec.Title : panel.Title;
            var (panelLeft, panelRight) = ((int)Math.Round(i * panelWidth), (int)Math.Round((i + 1) * panelWidth));
            var panelTop = (int)Math.Ceiling(top);

            // ScottPlot puts the axis labels flush with the figure edge; a little white around each panel keeps them
            // off the image border and apart from the neighbouring panel.
            var (padLeft, padRight, padTop, padBottom) = ((int)(8 * scale), (int)(12 * scale), panelTop > 0 ? 0 : (int)(6 * scale), (int)(6 * scale));
            var (width, height) = (panelRight - panelLeft - padLeft - padRight, spec.Height - panelTop - padTop - padBottom);
            if (width < 100 || height < 100)
                throw new InvalidDataException($"{spec.Width} x {spec.Height} is too small for {panels.Count} panels");
            using var plot = BuildPlot(panel, title ?? "", fonts, scale, width);

            // Each panel gets its own surface because ScottPlot clears the whole canvas it renders on. The first
            // render lays out the axes and generates ticks; with those, the legend goes where it covers the fewest
            // data and tick labels get one number of decimals per axis; the second render draws over the first.
            using var panelSurface = ChartCanvas.Create(width, height);
            plot.Render(panelSurface);
            if (plot.Legend.IsVisible)
                plot.Legend.Alignment = PlaceLegend(plot, panel);
            UniformTickLabels(plot.Axes.Bottom);
            UniformTickLabels(plot.Axes.Left);
            plot.Render(panelSurface);

            using var panelImage = panelSurface.Snapshot();
            canvas.DrawImage(panelImage, panelLeft + padLeft, panelTop + padTop);
        }

        return surface.Snapshot();
    }

    private static Plot BuildPlot(LinePanel panel, string title, ChartFonts fonts, float scale, float width)
    {
        if (panel.Series is null)
            throw new InvalidDataException($"panel '{panel.Title}' has no series list");

        var plot = new Plot();
        // Fonts are named label by label: plot.Font.Set would pin one typeface and lose the bold title.
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Axes.FrameColor(Color.FromHex("#555555"));
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.09);
        plot.Grid.MinorLineColor = Colors.Transparent;

        plot.Axes.Title.Label.Text = title;
        plot.Axes.Title.Label.FontName = fonts.Family;
        plot.Axes.Title.Label.FontSize = 17 * scale;
        plot.Axes.Title.Label.Bold = true;
        plot.Axes.Title.Label.ForeColor = Color.FromSKColor(ChartCanvas.TextColor);
        foreach (var (axis, text) in new (IAxis, string)[] { (plot.Axes.Bottom, panel.XLabel), (plot.Axes.Left, panel.YLabel) })
        {
            axis.Label.Text = text ?? "";
            axis.Label.FontName = fonts.Family;
            axis.TickLabelStyle.FontName = fonts.Family;
            axis.Label.FontSize = 15 * scale;
            axis.Label.Bold = false;
            axis.Label.ForeColor = Color.FromSKColor(ChartCanvas.TextColor);
            axis.TickLabelStyle.FontSize = 13 * scale;
            axis.TickLabelStyle.ForeColor = Color.FromHex("#333333");
            axis.MajorTickStyle.Length = 5 * scale;
            axis.MinorTickStyle.Length = 2.5f * scale;
        }

        var series = panel.Series.Select((s, i) => s ?? throw new InvalidDataException($"series {i + 1} of panel '{panel.Title}' is null")).ToList();
        var points = series.Select(FinitePoints).ToList();
        var (xRange, yRange) = (DataRange(points, p => p.X), DataRange(points, p => p.Y));

        if (panel.Diagonal)
            AddDiagonal(plot, panel.X ?? xRange, panel.Y ?? yRange, scale);

        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (points[i].Length == 0)
                continue;
            var scatter = plot.Add.Scatter(points[i].Select(p => p.X).ToArray(), points[i].Select(p => p.Y).ToArray());
            scatter.Color = Palette.GetColor(((s.ColorIndex % Palette.Colors.Length) + Palette.Colors.Length) % Palette.Colors.Length);
            scatter.LineWidth = 2.2f * scale;
            scatter.LinePattern = s.Dashed ? new LinePattern([7 * scale, 4 * scale], 0, "dashed") : LinePattern.Solid;
            scatter.MarkerShape = MarkerShape.FilledCircle;
            scatter.MarkerSize = s.Markers ? 7 * scale : 0;
            scatter.LegendText = s.Name ?? "";
        }

        // A legend without any text would be an empty box.
        if (series.Any(s => !string.IsNullOrWhiteSpace(s.Name)))
        {
            plot.ShowLegend();
            plot.Legend.FontName = fonts.Family;
            plot.Legend.FontSize = 13 * scale;
            plot.Legend.FontColor = Color.FromSKColor(ChartCanvas.TextColor);
            plot.Legend.OutlineColor = Color.FromHex("#BBBBBB");
            plot.Legend.BackgroundColor = Colors.White.WithAlpha(0.9);
            plot.Legend.ShadowColor = Colors.Transparent;
            plot.Legend.SymbolWidth = 32 * scale;
            plot.Legend.Padding = new PixelPadding(8 * scale, 10 * scale, 6 * scale, 8 * scale);
        }
        else
        {
            plot.HideLegend();
        }

        SetLimits(plot, panel, xRange, yRange);
        if (panel.IntegerX)
        {
            // Ticks cover the data (epochs 1..N), not the padding around it, unless a fixed range says otherwise.
            var ticks = panel.X ?? xRange ?? new AxisRange(plot.Axes.Bottom.Min, plot.Axes.Bottom.Max);
            plot.Axes.Bottom.TickGenerator = IntegerTicks(ticks.Min, ticks.Max, width, scale);
        }
        return plot;
    }

    private static Coordinates[] FinitePoints(LineSeries series)
    {
        if (series.X is null || series.Y is null)
            throw new InvalidDataException($"series '{series.Name}' lacks x or y values");
        if (series.X.Count != series.Y.Count)
            throw new InvalidDataException($"series '{series.Name}' has {series.X.Count} x values but {series.Y.Count} y values");
        // A diverged run can log NaN or infinite losses; those points are left out rather than failing the chart.
        return series.X.Zip(series.Y, (x, y) => new Coordinates(x, y))
            .Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y))
            .ToArray();
    }

    private static AxisRange? DataRange(IEnumerable<Coordinates[]> points, Func<Coordinates, double> value)
    {
        var values = points.SelectMany(p => p).Select(value).ToList();
        return values.Count == 0 ? null : new AxisRange(values.Min(), values.Max());
    }

    private static void AddDiagonal(Plot plot, AxisRange? x, AxisRange? y, float scale)
    {
        // The chance line spans the part of y = x inside both ranges (0..1 for ROC).
        var from = Math.Max(x?.Min ?? 0, y?.Min ?? 0);
        var to = Math.Min(x?.Max ?? 1, y?.Max ?? 1);
        if (!(to > from))
            return;
        var line = plot.Add.Scatter(new[] { from, to }, new[] { from, to });
        line.Color = Color.FromHex("#888888");
        line.LineWidth = 1.5f * scale;
        line.LinePattern = new LinePattern([6 * scale, 5 * scale], 0, "chance");
        line.MarkerSize = 0;
        line.LegendText = "";
    }

    private static void SetLimits(Plot plot, LinePanel panel, AxisRange? xData, AxisRange? yData)
    {
        plot.Axes.AutoScale();
        var auto = plot.Axes.GetLimits();

        if (panel.X is { } x)
        {
            CheckRange(x, "x");
            // Fixed ranges get 1% of slack so that lines on the boundary (ROC at 0 and 1) are not hidden by the frame.
            var pad = (x.Max - x.Min) * 0.01;
            plot.Axes.SetLimitsX(x.Min - pad, x.Max + pad);
        }
        else if (panel.IntegerX && xData is { } d)
        {
            // Whole-number axes (epochs) get half a step of room for a single point and a little otherwise.
            var pad = d.Max > d.Min ? Math.Max((d.Max - d.Min) * 0.05, 0.25) : 0.5;
            plot.Axes.SetLimitsX(d.Min - pad, d.Max + pad);
        }
        else
        {
            plot.Axes.SetLimitsX(auto.Left, auto.Right);
        }

        if (panel.Y is { } y)
        {
            CheckRange(y, "y");
            var pad = (y.Max - y.Min) * 0.01;
            plot.Axes.SetLimitsY(y.Min - pad, y.Max + pad);
        }
        else if (yData is { } d && d.Max == d.Min)
        {
            // A single value (one epoch): centre it instead of letting the axis collapse.
            var pad = Math.Max(Math.Abs(d.Max) * 0.05, 0.05);
            plot.Axes.SetLimitsY(d.Min - pad, d.Max + pad);
        }
        else
        {
            plot.Axes.SetLimitsY(auto.Bottom, auto.Top);
        }
    }

    private static void CheckRange(AxisRange range, string axis)
    {
        if (!double.IsFinite(range.Min) || !double.IsFinite(range.Max) || range.Max <= range.Min)
            throw new InvalidDataException($"{axis} range [{range.Min}, {range.Max}] is empty or not finite");
    }

    private static ScottPlot.TickGenerators.NumericManual IntegerTicks(double min, double max, float width, float scale)
    {
        // Steps of 1, 2, 5, 10, 20, 50, ... so that labels stay about 55 px apart; ticks only on multiples of the step.
        var first = (long)Math.Ceiling(min);
        var last = (long)Math.Floor(max);
        var maxTicks = Math.Max(2, (int)((width - 90 * scale) / (55 * scale)));
        var step = NiceStep(last - first, maxTicks);

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var start = (long)Math.Ceiling(first / (double)step) * step;
        for (var value = start; value <= last; value += step)
            ticks.AddMajor(value, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ticks;
    }

    private static void UniformTickLabels(IAxis axis)
    {
        // ScottPlot writes each tick with its own shortest form (0.8, 0.82, 1); a report reads better with one
        // number of decimals per axis (0.80, 0.82, 1.00), and with the same decimal point in every locale.
        if (axis.TickGenerator is not ScottPlot.TickGenerators.NumericAutomatic generator)
            return;
        var majors = generator.Ticks.Where(t => t.IsMajor).Select(t => t.Position).ToList();
        if (majors.Count == 0)
            return;
        var decimals = majors.Max(Decimals);
        var format = "N" + decimals.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var half = 0.5 * Math.Pow(10, -decimals);
        // The ticks are frozen as well: shorter labels would let the automatic generator pack in ticks at a finer step
        // than the decimals chosen here can tell apart (0.05 steps printed as 0.1, 0.1, 0.2 ...).
        var manual = new ScottPlot.TickGenerators.NumericManual();
        foreach (var tick in generator.Ticks)
        {
            if (tick.IsMajor)
                manual.AddMajor(tick.Position, (Math.Abs(tick.Position) < half ? 0 : tick.Position).ToString(format, System.Globalization.CultureInfo.InvariantCulture));
            else
                manual.AddMinor(tick.Position);
        }

        axis.TickGenerator = manual;
    }

    private static int Decimals(double value)
    {
        for (var decimals = 0; decimals < 6; decimals++)
            if (Math.Abs(Math.Round(value, decimals) - value) < 1e-9 * Math.Max(1, Math.Abs(value)))
                return decimals;
        return 6;
    }

    private static long NiceStep(long span, int maxTicks)
    {
        for (long decade = 1; decade < long.MaxValue / 10; decade *= 10)
            foreach (var multiple in (ReadOnlySpan<long>)[1, 2, 5])
                if (span / (multiple * decade) + 1 <= maxTicks)
                    return multiple * decade;
        return Math.Max(1, span);
    }

    private static Alignment PlaceLegend(Plot plot, LinePanel panel)
    {
        var data = plot.LastRender.DataRect;
        var size = plot.Legend.LastRenderSize;
        var margin = plot.Legend.Margin;

        // Sample every line every few pixels and count the samples each candidate legend box would cover;
        // the chance line counts less than the data.
        var samples = new List<(Pixel Pixel, double Weight)>();
        foreach (var scatter in plot.GetPlottables<ScottPlot.Plottables.Scatter>())
        {
            var weight = string.IsNullOrEmpty(scatter.LegendText) && panel.Diagonal ? 0.3 : 1.0;
            var pixels = scatter.Data.GetScatterPoints().Select(c => plot.GetPixel(c)).ToList();
            if (pixels.Count == 1)
                samples.Add((pixels[0], weight));
            for (var i = 1; i < pixels.Count; i++)
            {
                var (a, b) = (pixels[i - 1], pixels[i]);
                var steps = Math.Max(1, (int)(Math.Sqrt(Math.Pow(b.X - a.X, 2) + Math.Pow(b.Y - a.Y, 2)) / 3));
                for (var k = 0; k <= steps; k++)
                    samples.Add((new Pixel(a.X + (b.X - a.X) * k / steps, a.Y + (b.Y - a.Y) * k / steps), weight));
            }
        }

        var best = LegendCorners[0];
        var bestScore = double.MaxValue;
        foreach (var corner in LegendCorners)
        {
            var box = size.ToPixelRect().AlignedInside(data, corner, margin).Expand(4);
            var score = samples.Where(s => box.Contains(s.Pixel)).Sum(s => s.Weight);
            if (score < bestScore)
                (best, bestScore) = (corner, score);
        }
        return best;
    }
}
