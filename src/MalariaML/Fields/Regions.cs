using OpenCvSharp;

namespace MalariaML.Fields;

/// <summary>Turns watershed labels into <see cref="FieldObject"/>s: outline, box, area, border contact and kind.</summary>
internal static class Regions
{
    public static IReadOnlyList<FieldObject> Extract(Mat markers, Mat nuclei, Mat ink, double diameter, double minCellArea)
    {
        var stats = Measure(markers, nuclei, ink);
        var cellArea = Math.PI * diameter * diameter / 4;
        var found = new List<(PixelBox Box, double Area, (int X, int Y)[] Contour, FieldObjectKind Kind, bool Border)>();
        foreach (var s in stats.Values)
        {
            var roi = new Rect(s.MinX, s.MinY, s.MaxX - s.MinX + 1, s.MaxY - s.MinY + 1);
            using var region = new Mat(markers, roi);
            using var own = new Mat();
            Cv2.Compare(region, s.Label, own, CmpTypes.EQ);
            Cv2.FindContours(own, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone, new Point(roi.X, roi.Y));
            if (contours.Length == 0)
            {
                continue;
            }

            var outline = contours.MaxBy(c => Cv2.ContourArea(c))!;
            var box = Cv2.BoundingRect(outline);
            var full = HiddenPart(markers, s.Label, outline, diameter);
            var cellBox = full is { } f ? f.Union(box).Intersect(new Rect(0, 0, markers.Cols, markers.Rows)) : box;
            var border = box.X <= 0 || box.Y <= 0 || box.Right >= markers.Cols || box.Bottom >= markers.Rows;
            var kind = Classify(s, outline, border, diameter, cellArea, minCellArea);
            var simple = Cv2.ApproxPolyDP(outline, 0.7, true);
            found.Add((new PixelBox(cellBox.X, cellBox.Y, cellBox.Width, cellBox.Height), s.Pixels, simple.Select(p => (p.X, p.Y)).ToArray(), kind, border));
        }

        return found
            .OrderBy(f => f.Box.Y + f.Box.Height / 2).ThenBy(f => f.Box.X)
            .Select((f, i) => new FieldObject(i + 1, f.Box, f.Area, f.Contour, f.Kind, f.Border))
            .ToList();
    }

    /// <summary>
    /// The box of a cell that a neighbour overlaps: an ellipse fitted to the part of its outline that borders the
    /// background (not the split line) restores the part hidden under the neighbour, as an annotator draws it.
    /// <c>null</c> for a cell that touches no neighbour, or when the fit is not cell-like.
    /// </summary>
    private static Rect? HiddenPart(Mat markers, int label, Point[] outline, double diameter)
    {
        int rows = markers.Rows, cols = markers.Cols;
        var outer = new List<Point2f>();
        var shared = 0;
        unsafe
        {
            var m = (int*)markers.DataPointer;
            foreach (var p in outline)
            {
                var neighbour = false;
                foreach (var (dx, dy) in Neighbours)
                {
                    int x = p.X + dx, y = p.Y + dy;
                    if (x >= 0 && y >= 0 && x < cols && y < rows)
                    {
                        var other = m[y * cols + x];
                        neighbour |= other != label && other != Splitter.Background;
                    }
                }

                if (neighbour)
                {
                    shared++;
                }
                else
                {
                    outer.Add(new Point2f(p.X, p.Y));
                }
            }
        }

        // Too little free outline (a cell boxed in by others) says nothing about the hidden part.
        if (shared == 0 || outer.Count < 5 || outer.Count < 0.35 * outline.Length)
        {
            return null;
        }

        var ellipse = Cv2.FitEllipse(outer);
        float major = Math.Max(ellipse.Size.Width, ellipse.Size.Height), minor = Math.Min(ellipse.Size.Width, ellipse.Size.Height);
        return major <= 1.5 * diameter && minor >= 0.6 * diameter && major <= 1.6 * minor ? ellipse.BoundingRect() : null;
    }

    private static readonly (int Dx, int Dy)[] Neighbours = [(1, 0), (-1, 0), (0, 1), (0, -1)];

    private static FieldObjectKind Classify(RegionStats s, Point[] outline, bool border, double diameter, double cellArea, double minCellArea)
    {
        var rect = Cv2.MinAreaRect(outline);
        float longSide = Math.Max(rect.Size.Width, rect.Size.Height), shortSide = Math.Min(rect.Size.Width, rect.Size.Height);
        // A scale bar is a straight line far longer than it is thick; no cell is, only the slivers the border cuts off.
        if (!border && longSide > 4 * shortSide && shortSide < 0.25 * diameter && longSide > 0.5 * diameter)
        {
            return FieldObjectKind.ScaleBar;
        }

        if (s.Pixels < minCellArea * cellArea)
        {
            return FieldObjectKind.Platelet;
        }

        if (s.Nucleus <= 0.15 * Math.Min(s.Pixels, cellArea) && s.Ink > 0.25 * s.Pixels)
        {
            return FieldObjectKind.ScaleBar;
        }

        if (s.Nucleus > 0.15 * Math.Min(s.Pixels, cellArea))
        {
            return FieldObjectKind.WhiteBloodCell;
        }

        var hull = Cv2.ContourArea(Cv2.ConvexHull(outline));
        if (hull > 0 && s.Pixels / hull < 0.6)
        {
            return FieldObjectKind.Debris;
        }

        return FieldObjectKind.RedBloodCell;
    }

    private static Dictionary<int, RegionStats> Measure(Mat markers, Mat nuclei, Mat ink)
    {
        var stats = new Dictionary<int, RegionStats>();
        unsafe
        {
            var m = (int*)markers.DataPointer;
            var n = (byte*)nuclei.DataPointer;
            var k = (byte*)ink.DataPointer;
            int cols = markers.Cols, rows = markers.Rows;
            for (var y = 0; y < rows; y++)
            {
                for (var x = 0; x < cols; x++)
                {
                    var i = y * cols + x;
                    var label = m[i];
                    if (label <= Splitter.Background)
                    {
                        continue;
                    }

                    if (!stats.TryGetValue(label, out var s))
                    {
                        s = new RegionStats(label) { MinX = x, MinY = y, MaxX = x, MaxY = y };
                        stats[label] = s;
                    }

                    s.Add(x, y, n[i] != 0, k[i] != 0);
                }
            }
        }

        return stats;
    }

    /// <summary>Running size and extent of one label, and how many of its pixels belong to a white cell's nucleus.</summary>
    private sealed class RegionStats(int label)
    {
        public int Label { get; } = label;
        public int MinX { get; set; }
        public int MinY { get; set; }
        public int MaxX { get; set; }
        public int MaxY { get; set; }
        public int Pixels { get; private set; }
        public int Nucleus { get; private set; }
        public int Ink { get; private set; }

        public void Add(int x, int y, bool nucleus, bool ink)
        {
            MinX = Math.Min(MinX, x);
            MaxX = Math.Max(MaxX, x);
            MinY = Math.Min(MinY, y);
            MaxY = Math.Max(MaxY, y);
            Pixels++;
            Nucleus += nucleus ? 1 : 0;
            Ink += ink ? 1 : 0;
        }
    }
}
