using OpenCvSharp;

namespace MalariaML.Fields;

/// <summary>
/// Splits touching and overlapping cells: every cell has a peak of the distance transform near its centre, so the
/// peaks (at least a minimum centre distance apart) seed a watershed on the distance map that grows each cell, deepest
/// pixels first, until it meets its neighbour at the neck between them.
/// </summary>
internal static class Splitter
{
    /// <summary>Label of background pixels in the returned labels; objects are 1, 2, ...</summary>
    public const int Background = 0;

    // Distance levels per pixel of the bucket queue: a quarter pixel keeps necks sharp without a sorted queue.
    private const int LevelsPerPixel = 4;

    /// <summary>Labels (32-bit, one per pixel): 0 background, 1.. one per object.</summary>
    public static Mat Split(Mat mask, double diameter, double minCentreDistance, out int count)
    {
        using var distance = new Mat();
        Cv2.DistanceTransform(mask, distance, DistanceTypes.L2, DistanceTransformMasks.Mask5);
        using var seeds = Seeds(distance, mask, diameter, minCentreDistance);
        var labels = new Mat();
        var seedCount = Cv2.ConnectedComponents(seeds, labels, PixelConnectivity.Connectivity8, MatType.CV_32S) - 1;
        count = SeedObjectsWithout(mask, labels, seedCount);
        Flood(distance, labels);
        return labels;
    }

    private static Mat Seeds(Mat distance, Mat mask, double diameter, double minCentreDistance)
    {
        var window = Odd(Math.Max(3, minCentreDistance * diameter));
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(window, window));
        using var dilated = new Mat();
        Cv2.Dilate(distance, dilated, kernel);
        var peaks = new Mat();
        Cv2.Compare(distance, dilated, peaks, CmpTypes.GE);
        using var deep = new Mat();
        // A peak this shallow lies in a neck or a sliver, not at a cell's centre.
        Cv2.Compare(distance, 0.15 * diameter, deep, CmpTypes.GT);
        Cv2.BitwiseAnd(peaks, deep, peaks);
        // Plateau pixels of one peak and peaks a few pixels apart are one seed.
        var join = Odd(Math.Max(3, diameter * 0.12));
        using var joinKernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(join, join));
        Cv2.Dilate(peaks, peaks, joinKernel);
        Cv2.BitwiseAnd(peaks, mask, peaks);
        return peaks;
    }

    /// <summary>Labels each connected part of <paramref name="parts"/> that is still background, after the existing labels.</summary>
    public static void AddComponents(Mat labels, Mat parts, int count)
    {
        using var components = new Mat();
        Cv2.ConnectedComponents(parts, components, PixelConnectivity.Connectivity8, MatType.CV_32S);
        unsafe
        {
            var total = (int)labels.Total();
            var c = (int*)components.DataPointer;
            var l = (int*)labels.DataPointer;
            for (var i = 0; i < total; i++)
            {
                if (c[i] > 0 && l[i] == Background)
                {
                    l[i] = count + c[i];
                }
            }
        }
    }

    /// <summary>Small or thin objects have no deep peak; each still gets one label, or the flood would drop it.</summary>
    private static int SeedObjectsWithout(Mat mask, Mat labels, int seedCount)
    {
        using var components = new Mat();
        var count = Cv2.ConnectedComponents(mask, components, PixelConnectivity.Connectivity8, MatType.CV_32S);
        var seeded = new bool[count];
        var next = seedCount;
        unsafe
        {
            var total = (int)mask.Total();
            var c = (int*)components.DataPointer;
            var m = (int*)labels.DataPointer;
            for (var i = 0; i < total; i++)
            {
                if (m[i] > 0)
                {
                    seeded[c[i]] = true;
                }
            }

            var newLabel = new int[count];
            for (var component = 1; component < count; component++)
            {
                newLabel[component] = seeded[component] ? 0 : ++next;
            }

            for (var i = 0; i < total; i++)
            {
                if (c[i] > 0 && newLabel[c[i]] > 0)
                {
                    m[i] = newLabel[c[i]];
                }
            }
        }

        return next;
    }

    /// <summary>
    /// Priority flood from the seeds over the foreground, deepest distance first (a bucket queue, linear time): a pixel
    /// takes the label of the neighbour that reaches it first, so two cells meet where the distance map is lowest
    /// between them.
    /// </summary>
    private static void Flood(Mat distance, Mat labels)
    {
        int rows = distance.Rows, cols = distance.Cols;
        var total = rows * cols;
        unsafe
        {
            var d = (float*)distance.DataPointer;
            var l = (int*)labels.DataPointer;
            var maxLevel = 0;
            for (var i = 0; i < total; i++)
            {
                maxLevel = Math.Max(maxLevel, Level(d[i]));
            }

            var buckets = new Queue<int>[maxLevel + 1];
            for (var i = 0; i < buckets.Length; i++)
            {
                buckets[i] = new Queue<int>();
            }

            for (var i = 0; i < total; i++)
            {
                if (l[i] > 0)
                {
                    buckets[Level(d[i])].Enqueue(i);
                }
            }

            for (var level = maxLevel; level >= 0; level--)
            {
                var bucket = buckets[level];
                while (bucket.TryDequeue(out var i))
                {
                    int y = i / cols, x = i - y * cols;
                    Visit(x > 0 ? i - 1 : -1);
                    Visit(x < cols - 1 ? i + 1 : -1);
                    Visit(y > 0 ? i - cols : -1);
                    Visit(y < rows - 1 ? i + cols : -1);

                    void Visit(int j)
                    {
                        if (j >= 0 && l[j] == 0 && d[j] > 0)
                        {
                            l[j] = l[i];
                            buckets[Math.Min(level, Level(d[j]))].Enqueue(j);
                        }
                    }
                }
            }
        }
    }

    private static int Level(float distance) => (int)(distance * LevelsPerPixel);

    private static int Odd(double size)
    {
        var n = (int)Math.Round(size);
        return n % 2 == 0 ? n + 1 : n;
    }
}
